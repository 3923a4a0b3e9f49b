#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the repository's own fixtures: the map
files under topologies/ and crates/*/tests/data/, the JSON request bodies
written literally in the test sources, and a few hand-made update streams.
Run from the repository root; then minimise with `cargo fuzz cmin`
(docs/fuzzing.md). Big production-size maps are left out on purpose."""

import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
MAX_SEED = 64 * 1024  # bytes; larger fixtures only slow the fuzzer


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        return
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def files(pattern):
    return sorted(p for p in ROOT.glob(pattern) if "target" not in p.parts)


# Maps and IRDs from fixtures, sorted by their content.
for p in files("topologies/**/*.json") + files("crates/*/tests/data/**/*.json"):
    text = p.read_text()
    try:
        doc = json.loads(text)
    except ValueError:
        continue
    if "network-map" in doc:
        add("network_map", text)
    elif "cost-map" in doc:
        add("cost_map", text)
    elif "property-map" in doc:
        add("property_map", text)
    elif "resources" in doc:
        add("ird", text)
    elif "endpoints" in doc and "cost-type" in doc:
        add("endpoint_cost", text)

for p in files("topologies/**/altofed*.toml"):
    add("config", p.read_text())
for p in files("topologies/**/cdn.toml") + files("crates/*/tests/data/*.toml"):
    add("topology_toml", p.read_text())
for p in files("topologies/**/*.graphml") + files("crates/*/tests/data/*.graphml"):
    add("graphml", p.read_text())
for p in files("crates/*/tests/data/*.intra"):
    add("rocketfuel", p.read_text())

# TOML and GraphML written literally in the tests (r#"..."# strings).
RAW = re.compile(r'r#"(.*?)"#', re.S)
sources = files("crates/**/*.rs") + files("tests/**/*.rs")
for src in sources:
    for m in RAW.finditer(src.read_text()):
        body = m.group(1)
        if "<graphml" in body:
            add("graphml", body)
            continue
        if "[[peer]]" in body or "[output]" in body or "[cdn]" in body:
            add("config", body)
            continue
        if "[[link]]" in body or "[[pid]]" in body or "[import]" in body:
            add("topology_toml", body)
            continue
        try:
            doc = json.loads(body)
        except ValueError:
            continue
        if not isinstance(doc, dict):
            continue
        keys = set(doc)
        if "resources" in keys:
            add("ird", body)
        elif "network-map" in keys:
            add("network_map", body)
        elif "cost-map" in keys:
            add("cost_map", body)
        elif "property-map" in keys:
            add("property_map", body)
        elif "entities" in keys:
            add("filtered_property_map", body)
        elif "endpoints" in keys and "cost-type" in keys:
            add("endpoint_cost", body)
        elif "endpoints" in keys and "properties" in keys:
            add("endpoint_prop", body)
        elif "cost-type" in keys:
            add("filtered_cost_map", body)
        elif "pids" in keys:
            add("filtered_network_map", body)
        elif keys & {"add", "remove"}:
            add("update_stream", body)
        elif "health" in keys:
            add("admin_node_status", body)

# Small documents in the shape the GraphML and Rocketfuel tests build.
GRAPHML = (
    '<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
    '<key attr.name="Latitude" for="node" id="lat"/>\n'
    '<key attr.name="Longitude" for="node" id="lon"/>\n'
    '<key attr.name="label" for="node" id="name"/>\n'
    '<key attr.name="LinkSpeedRaw" for="edge" id="bw"/>\n'
    '<graph edgedefault="undirected">\n{}</graph>\n</graphml>\n'
)
for body in [
    '<node id="a"><data key="lat">10</data><data key="lon">20</data><data key="name">A</data></node>'
    '<node id="b"><data key="lat">-33.5</data><data key="lon">151</data></node>\n'
    '<edge source="a" target="b"><data key="bw">1e9</data></edge>\n'
    '<edge source="b" target="a" directed="true"><data key="bw">1e10</data></edge>\n'
    '<edge source="a" target="a"/>\n',
    '<node id="a"/><node id="b"/><node id="c"/>\n'
    '<edge source="a" target="b" directed="true"/>\n<edge source="b" target="c"/>\n',
    '<node id="a">\n<data key="lat">north</data></node>\n',
]:
    add("graphml", GRAPHML.format(body))
for text in ["a b 3\n\n  \na b 2\na a 1\r\nb a 0\n", "a b 1\na b\n", "a b 1 x\n",
             "\na b 1\na c two\n", "a b -1\n", "a b inf\n", "a b 1e308\nb c 1e308\n"]:
    add("rocketfuel", text)

# Request bodies that the tests build with json!() around variables.
REQ = {
    "filtered_network_map": [
        {"pids": ["pid8", "nope"], "address-types": ["ipv6"]},
        {"pids": []},
        {"pids": ["pid-metro"], "address-types": ["ipv4"]},
    ],
    "filtered_cost_map": [
        {"cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
         "pids": {"srcs": ["pid8", "nope"], "dsts": ["isp-a:pid1"]}},
        {"cost-type": {"cost-mode": "ordinal", "cost-metric": "routingcost"},
         "constraints": ["le 10", "gt 0.5", "eq 3"], "pids": {"srcs": [], "dsts": []}},
        {"cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
         "pids": {"srcs": [1], "dsts": []}},
    ],
    "filtered_property_map": [
        {"entities": ["agg-netmap.pid:isp-a:pid1", "ipv4:192.0.2.0/24",
                      "ipv6:2001:db8::/32"], "properties": ["priv:origin-peer", "pid"]},
        {"entities": []},
        {"entities": ["agg-netmap.pid:a.b"]},
    ],
    "endpoint_prop": [
        {"properties": ["agg-netmap.pid"],
         "endpoints": ["ipv4:203.0.113.1", "ipv6:2001:db8:1::5", "ipv4:8.8.8.8"]},
        {"properties": ["priv:colour"], "endpoints": ["ipv4:300.1.1.1"]},
    ],
    "endpoint_cost": [
        {"cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
         "constraints": ["le 5"],
         "endpoints": {"srcs": ["ipv4:203.0.113.1"], "dsts": ["ipv6:2001:db8::1"]}},
        {"cost-type": {"cost-mode": "numerical", "cost-metric": "routingcost"},
         "endpoints": {}},
    ],
    "update_stream": [
        {"add": {"num": {"resource-id": "agg-routingcost-num"}}},
        {"add": {"net": {"resource-id": "agg-netmap", "tag": "abc",
                         "incremental-changes": True,
                         "patch-media-type": "application/json-patch+json"},
                 "cost": {"resource-id": "c", "incremental-changes": False,
                          "input": {"x": 1}}}},
        {"remove": ["net"]},
        {"remove": []},
    ],
    "admin_node_status": [
        {"health": "up", "load": 0.5, "drained": False},
        {"health": "down", "load": 1.5, "drained": True},
    ],
}
for target, bodies in REQ.items():
    for body in bodies:
        add(target, json.dumps(body))
add("update_stream", '{"add": {"a": {"resource-id": "x"}, "a": {"resource-id": "y"}}}')

# IRD: the client's own test directory (crates/altofed-peers/src/http/directory.rs).
for src in files("crates/altofed-peers/src/http/directory.rs"):
    m = re.search(r'const IRD: &str = r#"(.*?)"#', src.read_text(), re.S)
    if m:
        add("ird", m.group(1))


# Update streams: first byte = chunking (see altofed_fuzz::update_stream_events).
def event(event_type, data):
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event_type}\n{lines}\n"


CONTROL = "application/alto-updatestreamcontrol+json"
STREAMS = [
    event(CONTROL, '{"control-uri": "/updates/ctl/1"}')
    + ": keep-alive\n\n"
    + event("application/json-patch+json,net",
            '[{"op": "replace", "path": "/meta/vtag/tag", "value": "figure5-netmap-v2"},\n'
            ' {"op": "add", "path": "/network-map/pid1/ipv4/-", "value": "203.0.113.0/24"}]')
    + event("application/merge-patch+json,cost",
            '{"meta": {"dependent-vtags": [{"resource-id": "isp-a-netmap", "tag": "figure5-netmap-v2"}],\n'
            ' "vtag": {"tag": "figure5-costmap-v2"}},\n'
            ' "cost-map": {"pid1": {"pid4": 6, "pid5": null}}}'),
    event(CONTROL, '{"stopped": ["cost"], "description": "maintenance"}'),
    event("application/json-patch+json,net",
          '[{"op": "remove", "path": "/network-map/no-such-pid"}]'),
    event("application/alto-networkmap+json,net",
          (ROOT / "topologies/figure5/isp-a/networkmap.json").read_text())
    + event("application/alto-costmap+json,cost",
            (ROOT / "topologies/figure5/isp-a/costmap.json").read_text()),
    event("application/merge-patch+json,prop",
          '{"property-map": {"ipv4:192.0.2.0/24": {"priv:region": null}}}')
    .replace("\n", "\r\n"),
    "event: application/merge-patch+json,cost\rdata: {\"a\":\rdata: 1}\r\rid: 1\nretry: 5\n\n",
]
for stream in STREAMS:
    for control in (b"\xff", b"\x00", b"\x0b"):
        add("update_stream_events", control + stream.encode())
