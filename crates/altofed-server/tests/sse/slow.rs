//! A client that stops reading is cut off once its queue is full, while
//! the publisher and the other clients go on undisturbed.

use std::collections::BTreeMap;
use std::time::Duration;

use altofed_model::{
    CostMapDoc, CostMapMeta, CostMode, CostTableDoc, CostType, EndpointAddrGroup, NetworkMapDoc,
    NetworkMapMeta, VersionTag,
};
use altofed_server::Documents;
use serde_json::json;

use super::support::*;

const BIG_NET: &str = "big-netmap";
const BIG_COST: &str = "big-cost";
/// PIDs: each update rewrites all PIDS² costs (hundreds of KB per event),
/// so a client that does not read fills the socket buffers, then its queue.
const PIDS: usize = 250;

fn big_docs(round: u32) -> Documents {
    let pid = |i: usize| format!("p{i}");
    let mut network_map: BTreeMap<String, EndpointAddrGroup> = (0..PIDS)
        .map(|i| {
            let prefix = format!("10.{}.{}.0/24", i / 256, i % 256).parse().unwrap();
            (
                pid(i),
                EndpointAddrGroup {
                    ipv4: vec![prefix],
                    ipv6: Vec::new(),
                },
            )
        })
        .collect();
    let default = EndpointAddrGroup {
        ipv4: vec!["0.0.0.0/0".parse().unwrap()],
        ipv6: vec!["::/0".parse().unwrap()],
    };
    network_map.insert("default".to_owned(), default);
    let vtag = VersionTag::new(BIG_NET, "net-1");
    let cost_map = (0..PIDS)
        .map(|i| {
            let row = (0..PIDS)
                .map(|j| {
                    (
                        pid(j),
                        altofed_model::Cost(f64::from(round) + (i * PIDS + j) as f64),
                    )
                })
                .collect();
            (pid(i), row)
        })
        .collect();
    let meta = CostMapMeta {
        dependent_vtags: vec![vtag.clone()],
        cost_type: CostType::routingcost(CostMode::Numerical),
        vtag: Some(VersionTag::new(BIG_COST, format!("cost-{round}"))),
    };
    Documents {
        network_map: NetworkMapDoc {
            meta: NetworkMapMeta { vtag },
            network_map,
        }
        .into(),
        cost_maps: vec![(
            BIG_COST.to_owned(),
            CostTableDoc::from(&CostMapDoc { meta, cost_map }),
        )],
        property_maps: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_cut_off_and_the_others_get_every_update() {
    let server = start(config(Duration::from_secs(600), 2), Some(big_docs(0))).await;
    let request = json!({"add": {"c": {"resource-id": BIG_COST}}}).to_string();
    // Separate clients: separate connections.
    let slow_response = reqwest::Client::new()
        .post(format!("{}/updates", server.base))
        .header("content-type", PARAMS)
        .body(request.clone())
        .send()
        .await
        .unwrap();
    let mut fast = Sse::new(server.open(&request).await);
    fast.control_uri().await;
    let (_, mut doc) = fast.event().await;
    let mut history = vec![server.body(BIG_COST)];
    assert_eq!(doc, history[0]);
    assert_eq!(server.state.update_streams().open_streams(), 2);

    let mut rounds = 0;
    for round in 1..=100 {
        server.publish(big_docs(round));
        history.push(server.body(BIG_COST));
        // The fast client gets this very update, complete and in order.
        let (event, patch) = fast.event().await;
        assert!(event.ends_with(",c"), "{event}");
        apply(&mut doc, &event, &patch);
        assert_eq!(doc, history[round as usize]);
        rounds = round;
        if server.state.update_streams().open_streams() == 1 {
            break;
        }
    }
    assert_eq!(
        server.state.update_streams().open_streams(),
        1,
        "the slow client was cut off after {rounds} updates"
    );

    // The slow client now finds a consistent prefix of the updates, then
    // a cut connection (not a clean end).
    let mut slow = Sse::new(slow_response);
    slow.control_uri().await;
    let mut received = 0;
    let mut slow_doc = serde_json::Value::Null;
    let end = loop {
        match slow.next().await {
            Ok(Item::Event { event, data }) => {
                apply(&mut slow_doc, &event, &serde_json::from_str(&data).unwrap());
                assert_eq!(slow_doc, history[received]);
                received += 1;
            }
            Ok(Item::Comment(_)) => {}
            Err(end) => break end,
        }
    };
    assert!(matches!(end, Ended::Cut(_)), "{end:?}");
    assert!(received <= rounds as usize, "{received} of {rounds}");

    // The others carry on.
    server.publish(big_docs(rounds + 1));
    let (event, patch) = fast.event().await;
    apply(&mut doc, &event, &patch);
    assert_eq!(doc, server.body(BIG_COST));
    server.shut_down().await;
}
