//! The same check over a real RFC 8895 stream: a server on 127.0.0.1:0, a
//! stream with merge-patch and JSON-patch substreams, publishes with
//! non-integer costs (one peer larger than a body segment), and every
//! copy compared with the body a real GET returns, number bits included.

use std::collections::BTreeMap;

use altofed_server::snapshot::map_uri;
use altofed_server::{AppState, ServerConfig};
use altofed_tests::sse_client::{self, Sse, JSON_PATCH};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::exact::{apply, bit_equal, parse};
use super::world::{Step, World, NET, NUM, PROPS};

/// Substream id -> resource id.
const SUBSTREAMS: [(&str, &str); 4] = [("n", NET), ("c", NUM), ("cj", NUM), ("p", PROPS)];

async fn get(client: &reqwest::Client, base: &str, id: &str) -> Value {
    let response = client
        .get(format!("{base}{}", map_uri(id)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    parse(&response.bytes().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_stream_delivers_the_served_documents_bit_for_bit() {
    let state = AppState::new(ServerConfig::default());
    let mut world = World::new(8895, 3, &[1_702, 12, 30]);
    state.publish(world.documents()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(altofed_server::run(
        listener,
        state.clone(),
        std::future::pending::<()>(),
    ));
    let client = reqwest::Client::new();

    let request = json!({"add": {
        "n": {"resource-id": NET},
        "c": {"resource-id": NUM},
        "cj": {"resource-id": NUM, "patch-media-type": JSON_PATCH},
        "p": {"resource-id": PROPS},
    }});
    let mut sse = Sse::new(sse_client::open(&client, &base, &request.to_string()).await);
    sse.control_uri().await;
    let mut copies: BTreeMap<String, Value> = BTreeMap::new();
    for _ in SUBSTREAMS {
        let (event, data) = sse.event().await;
        copies.insert(event.rsplit(',').next().unwrap().to_owned(), data);
    }

    let steps = [
        Step::PeerCosts(1),
        Step::PeerCosts(2),
        Step::AddPid(3),
        Step::Properties(4),
        Step::RemovePid(5),
        Step::MovePid(6),
        Step::AddSource(7),
        Step::PeerCosts(8),
        Step::RemoveSource(9),
    ];
    let mut patches = 0;
    for step in steps {
        let before = state.snapshot().unwrap();
        world.apply(step);
        let after = state.publish(world.documents()).unwrap();
        let changed = |id: &str| {
            before.resources[id].body.identity.to_bytes()
                != after.resources[id].body.identity.to_bytes()
        };
        let expected = SUBSTREAMS.iter().filter(|(_, id)| changed(id)).count();
        for _ in 0..expected {
            let (event, data) = sse.event().await;
            let (media_type, substream) = event.split_once(',').unwrap();
            patches += usize::from(media_type.ends_with("patch+json"));
            apply(copies.get_mut(substream).unwrap(), media_type, &data);
        }
        for (substream, id) in SUBSTREAMS {
            let served = get(&client, &base, id).await;
            if let Err(e) = bit_equal(&copies[substream], &served, "") {
                panic!("{substream} after {step:?}: {e}");
            }
        }
    }
    assert!(patches >= steps.len(), "updates went out as patches");
    state.update_streams().shutdown();
    server.abort();
}
