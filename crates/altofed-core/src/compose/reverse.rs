//! The reverse direction: cost(s, P) from subscriber PID s to CDN PID P
//! over the links l = (r, b) to the subscriber's ISP (docs/architecture.md,
//! "Reverse direction"):
//!
//! - multipath: `min over l of C_isp(s, b) + c(l) + C_cdn(r, P)`;
//! - single path: the ISP's routing picks the link for s — highest
//!   preference, then the lowest `C_isp(s, b) + c(l)` (its hot potato),
//!   then the lowest link name — and cost(s, P) is that link's sum.
//!
//! This is the forward product with the roles of the two networks
//! swapped, so it reuses the forward kernels: the (S x L) matrix of
//! C_isp(s, b_l) stands where C_cdn stands forward (one "border" column per
//! link), and the row of C_cdn(r_l, P) where the ISP row of link l stands.
//! The tie rules of [`choose_exits`] then read exactly as above.

use serde::Deserialize;

use super::{choose_exits, compose_multipath, compose_single, LinkTerm, Matrix, Mode};
use crate::cdn_cost::CdnCosts;

/// Which rows the cost maps publish (`output.direction`). Read through
/// `TryFrom<String>` so that an unknown value's error names the key, which
/// serde's own "unknown variant" does not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Direction {
    /// CDN PID -> subscriber PID rows only (the original behaviour).
    #[default]
    CdnToSubscriber,
    /// Subscriber PID -> CDN PID rows only.
    SubscriberToCdn,
    /// Both sets of rows in one map.
    Both,
}

impl Direction {
    /// Whether CDN PID -> subscriber PID rows are published.
    pub fn forward(self) -> bool {
        self != Direction::SubscriberToCdn
    }

    /// Whether subscriber PID -> CDN PID rows are published.
    pub fn reverse(self) -> bool {
        self != Direction::CdnToSubscriber
    }

    /// The configuration value, as written in the TOML file.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::CdnToSubscriber => "cdn-to-subscriber",
            Direction::SubscriberToCdn => "subscriber-to-cdn",
            Direction::Both => "both",
        }
    }
}

impl TryFrom<String> for Direction {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        [
            Direction::CdnToSubscriber,
            Direction::SubscriberToCdn,
            Direction::Both,
        ]
        .into_iter()
        .find(|d| d.as_str() == value)
        .ok_or_else(|| {
            format!(
                "output.direction: unknown value `{value}`, expected one of \
                 `cdn-to-subscriber`, `subscriber-to-cdn`, `both`"
            )
        })
    }
}

/// Subscribers x CDN PIDs. `isp_to_borders` is (S x L): the scaled
/// C_isp(s, b_l), infinity where the ISP publishes none; `from_borders` is
/// C_cdn(r, P) (border routers x CDN PIDs); `links[l].border` indexes its
/// rows. Pins are per CDN PID, i.e. per forward row, and have no reverse
/// counterpart: the reverse single path never reads them.
pub fn compose_reverse(
    mode: Mode,
    isp_to_borders: &Matrix,
    from_borders: &CdnCosts,
    links: &[LinkTerm],
) -> Matrix {
    assert_eq!(isp_to_borders.cols, links.len(), "one ISP column per link");
    let left = CdnCosts::new(
        isp_to_borders.rows,
        isp_to_borders.cols,
        isp_to_borders.data.clone(),
    );
    let mut right = Matrix::filled(links.len(), from_borders.borders(), 0.0);
    let swapped: Vec<LinkTerm> = links
        .iter()
        .enumerate()
        .map(|(l, link)| {
            right
                .row_mut(l)
                .copy_from_slice(from_borders.row(link.border));
            LinkTerm {
                border: l,
                ..link.clone()
            }
        })
        .collect();
    match mode {
        Mode::Multipath => compose_multipath(&left, &swapped, &right),
        Mode::SinglePath => {
            let exits = choose_exits(&left, &swapped, &[]);
            compose_single(&left, &swapped, &right, &exits)
        }
    }
}
