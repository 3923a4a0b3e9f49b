//! Bodies assembled from independently compressed pieces decode, with real
//! decoders, to exactly the text they were cut from.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use altofed_server::snapshot::{Coding, Encoded};
use altofed_server::Piece;
use altofed_tests::{fixtures, synthetic};
use flate2::read::{GzDecoder, MultiGzDecoder};

/// SplitMix64: a seeded, dependency-free source of cut points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every JSON document committed under `topologies/` (real ALTO maps).
fn real_json() -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).expect("read topologies") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push((path.clone(), std::fs::read(&path).expect("read fixture")));
            }
        }
    }
    let mut out = Vec::new();
    walk(&fixtures::repo_root().join("topologies"), &mut out);
    out.sort();
    assert!(
        out.iter().any(|(_, t)| t.len() > 40_000),
        "the realdata cost map is missing"
    );
    out
}

/// A synthetic cost map serialized as the server does.
fn cost_map_json(pids: usize, generation: u32) -> Vec<u8> {
    let docs = synthetic::documents(pids, generation);
    serde_json::to_vec(&docs.cost_maps[0].1).expect("serialize")
}

/// `text` cut at random points; each part becomes a compressed piece or,
/// now and then, glue. Lengths run from 0 to `max`.
fn cut(text: &[u8], rng: &mut Rng, max: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let end = (at + rng.below(max + 1)).min(text.len());
        let part = &text[at..end];
        pieces.push(if rng.below(4) == 0 {
            Piece::glue(part)
        } else {
            Piece::new(part.to_vec())
        });
        at = end;
    }
    pieces
}

/// Every coding of `body` decodes to exactly `want`.
fn assert_decodes(body: &Encoded, want: &[u8], what: &str) {
    assert!(body.identity.to_bytes() == want, "{what}: identity differs");
    let gzip = &body.get(Coding::Gzip).expect("gzip coding").to_bytes()[..];
    let zstd = &body.get(Coding::Zstd).expect("zstd coding").to_bytes()[..];
    let decoded = [
        ("GzDecoder", read_all(GzDecoder::new(gzip))),
        ("MultiGzDecoder", read_all(MultiGzDecoder::new(gzip))),
        ("zstd::decode_all", zstd::decode_all(zstd)),
    ];
    for (decoder, got) in decoded {
        let got = got.unwrap_or_else(|e| panic!("{what}: {decoder}: {e}"));
        let (n, m) = (got.len(), want.len());
        assert!(got == want, "{what}: {decoder} gave {n} bytes, want {m}");
    }
}

fn read_all(mut reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out).map(|_| out)
}

#[test]
fn real_json_cut_at_random_points_decodes_exactly() {
    let mut rng = Rng(7285);
    for (path, text) in real_json() {
        for max in [1, 100, 5_000, 70_000] {
            let pieces = cut(&text, &mut rng, max);
            let what = format!("{} cut up to {max}", path.display());
            if text.len() < 512 {
                let body = Encoded::from_pieces(&pieces);
                assert_eq!(body.identity.to_bytes(), text, "{what}");
                assert!(
                    body.get(Coding::Gzip).is_none(),
                    "{what}: short body compressed"
                );
                continue;
            }
            assert_decodes(&Encoded::from_pieces(&pieces), &text, &what);
        }
    }
}

#[test]
fn cost_map_rows_as_pieces_decode_exactly() {
    // As a publisher would cut it: one piece per row, glue between rows.
    // Built from a JSON value so that the members come in whatever order
    // serde_json writes them.
    let value: serde_json::Value =
        serde_json::from_slice(&cost_map_json(150, 3)).expect("parse cost map");
    let mut pieces = Vec::new();
    let mut sep = "{";
    for (key, member) in value.as_object().expect("object") {
        let head = format!("{sep}{}:", serde_json::to_string(key).expect("key"));
        sep = ",";
        let Some(rows) = member.as_object().filter(|_| key == "cost-map") else {
            let text = [
                head.as_bytes(),
                &serde_json::to_vec(member).expect("member"),
            ]
            .concat();
            pieces.push(Piece::glue(&text));
            continue;
        };
        pieces.push(Piece::glue(format!("{head}{{").as_bytes()));
        for (i, (pid, row)) in rows.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let name = serde_json::to_string(pid).expect("pid");
            pieces.push(Piece::glue(format!("{sep}{name}:").as_bytes()));
            pieces.push(Piece::new(serde_json::to_vec(row).expect("row")));
        }
        pieces.push(Piece::glue(b"}"));
    }
    pieces.push(Piece::glue(b"}"));
    assert!(pieces.len() > 300, "rows were found");
    let text = serde_json::to_vec(&value).expect("doc");
    let body = Encoded::from_pieces(&pieces);
    assert_decodes(&body, &text, "rows");
    let whole = Encoded::new(text);
    let (ours, theirs) = (body.get(Coding::Gzip), whole.get(Coding::Gzip));
    let header = |r: Option<&altofed_server::snapshot::Rope>| r.unwrap().to_bytes().slice(..10);
    assert_eq!(header(ours), header(theirs), "gzip header");
}

#[test]
fn empty_pieces_add_nothing() {
    let text = cost_map_json(40, 1);
    let (a, b) = text.split_at(text.len() / 3);
    let empty = [Piece::new(Vec::new()), Piece::glue(b"")];
    assert!(empty.iter().all(|p| p.is_empty() && p.total_len() == 0));
    let (pa, pb) = (Piece::new(a.to_vec()), Piece::new(b.to_vec()));
    let body = Encoded::from_pieces([&empty[0], &pa, &empty[1], &empty[0], &pb, &empty[1]]);
    assert_decodes(&body, &text, "with empty pieces");

    let nothing = Encoded::from_pieces(&empty);
    assert!(nothing.identity.is_empty());
    assert!(nothing.get(Coding::Gzip).is_none() && nothing.get(Coding::Zstd).is_none());
    let none = Encoded::from_pieces(std::iter::empty());
    assert!(none.identity.is_empty() && none.get(Coding::Zstd).is_none());
}

#[test]
fn single_piece_decodes_and_shares_its_text() {
    let text = cost_map_json(60, 2);
    let piece = Piece::new(text.clone());
    assert_eq!(piece.len(), text.len());
    assert_eq!(piece.identity(), &text);
    let body = Encoded::from_pieces([&piece]);
    assert_decodes(&body, &text, "single piece");
    // Not copied: the body's one part is the piece's own buffer.
    assert_eq!(body.identity.parts().len(), 1);
    assert_eq!(body.identity.parts()[0].as_ptr(), piece.identity().as_ptr());
}

#[test]
fn glue_over_a_stored_block_and_a_zstd_block() {
    // 200 kB: four deflate stored blocks and two raw zstd blocks.
    let big: Vec<u8> = real_json()
        .into_iter()
        .flat_map(|(_, t)| t)
        .cycle()
        .take(200_000)
        .collect();
    let glue = Piece::glue(&big);
    assert_decodes(&Encoded::from_pieces([&glue]), &big, "big glue alone");
    let body = Encoded::from_pieces([&Piece::glue(b"["), &glue, &Piece::glue(b"]")]);
    let mut want = b"[".to_vec();
    want.extend(&big);
    want.push(b']');
    assert_decodes(&body, &want, "big glue between glue");
    // Stored, not compressed.
    assert!(body.get(Coding::Gzip).unwrap().len() > want.len());
    assert!(body.get(Coding::Zstd).unwrap().len() > want.len());
}

#[test]
fn glue_of_every_frame_header_size() {
    // zstd frame content size fields of 1, 2 and 4 bytes, at their edges.
    let text = cost_map_json(200, 1).repeat(2);
    for len in [1, 255, 256, 511, 65_791, 65_792, 131_072, 131_073] {
        let glue = Piece::glue(&text[..len]);
        let pad = Piece::new(text[..600].to_vec());
        let body = Encoded::from_pieces([&pad, &glue]);
        assert_decodes(
            &body,
            &[&text[..600], &text[..len]].concat(),
            &format!("glue {len}"),
        );
    }
}

#[test]
fn piece_used_twice_in_one_body() {
    let text = cost_map_json(50, 4);
    let piece = Piece::new(text.clone());
    let comma = Piece::glue(b",");
    let body = Encoded::from_pieces([&piece, &comma, &piece]);
    assert_decodes(&body, &[&text[..], b",", &text[..]].concat(), "twice");
}

#[test]
fn pieces_built_once_serve_two_bodies() {
    // A publish keeps the unchanged pieces of the last snapshot.
    let text = cost_map_json(120, 5);
    let mut rng = Rng(8895);
    let old = cut(&text, &mut rng, 40_000);
    let first = Encoded::from_pieces(&old);
    assert_decodes(&first, &text, "first body");

    let changed = cost_map_json(120, 6);
    let mid = old.len() / 2;
    let at: usize = old[..mid].iter().map(Piece::len).sum();
    let new_piece = Piece::new(changed[at..at + old[mid].len()].to_vec());
    let mut want = text.clone();
    want[at..at + old[mid].len()].copy_from_slice(new_piece.identity());
    let second = Encoded::from_pieces(old[..mid].iter().chain([&new_piece]).chain(&old[mid + 1..]));
    assert_decodes(&second, &want, "second body");
    assert_decodes(&first, &text, "first body again");
}

#[test]
fn incompressible_piece_decodes() {
    // Deflate output larger than the text exercises the output growth.
    let mut rng = Rng(9240);
    let noise: Vec<u8> = (0..300_000).map(|_| rng.next() as u8).collect();
    let piece = Piece::new(noise.clone());
    assert_decodes(
        &Encoded::from_pieces([&piece, &piece]),
        &noise.repeat(2),
        "noise",
    );
}

#[test]
fn command_line_tools_accept_bodies() {
    let text = cost_map_json(100, 7);
    let pieces = cut(&text, &mut Rng(7286), 20_000);
    let body = Encoded::from_pieces(&pieces);
    for (tool, coding) in [("gzip", Coding::Gzip), ("zstd", Coding::Zstd)] {
        let child = Command::new(tool)
            .args(["-d", "-c"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("{tool} not installed; skipped");
            continue;
        };
        let input = body.get(coding).expect("coding").to_bytes();
        let mut stdin = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().expect("tool runs");
        writer.join().expect("writer").expect("write body");
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout == text,
            "{tool} -d gave {} bytes",
            out.stdout.len()
        );
    }
}
