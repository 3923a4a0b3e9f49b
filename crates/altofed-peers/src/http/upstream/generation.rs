//! The upstream's snapshot generation, as an altofed server exports it in
//! its `/metrics` (`altofed_snapshot_generation`, one more per publish),
//! so that a mirror can say how many publishes it is behind. Read from
//! `/metrics` at the IRD's host; another server, or one whose `/metrics`
//! is elsewhere or closed, has none.

use super::{target, Upstream};
use crate::http::get::{get, Got, Limits};

/// The media type of `/metrics` (OpenMetrics text).
const OPENMETRICS: &str = "application/openmetrics-text";

/// Largest `/metrics` page read.
const METRICS_LIMIT: u64 = 1 << 20;

impl Upstream {
    /// The upstream's current snapshot generation, if it exports one and
    /// answers within the timeout.
    pub async fn generation(&self) -> Option<u64> {
        let url = self.ird_url.join("/metrics").ok()?;
        let limits = Limits {
            max_bytes: METRICS_LIMIT,
            ..self.limits()
        };
        match get(&self.client, target(&url), OPENMETRICS, None, limits).await {
            Ok(Got::Body { bytes, .. }) => parse_generation(&String::from_utf8_lossy(&bytes)),
            _ => None,
        }
    }
}

/// The value of `altofed_snapshot_generation` in an OpenMetrics page.
pub fn parse_generation(text: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next()? == "altofed_snapshot_generation").then_some(())?;
        words.next()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generation_line_and_nothing_else() {
        let page = "# HELP altofed_snapshot_generation Publishes\n\
                    # TYPE altofed_snapshot_generation gauge\n\
                    altofed_snapshot_generation_x 9\n\
                    altofed_snapshot_generation 42\n# EOF\n";
        assert_eq!(parse_generation(page), Some(42));
        assert_eq!(parse_generation("altofed_snapshot_generation -1\n"), None);
        assert_eq!(parse_generation("# EOF\n"), None);
    }
}
