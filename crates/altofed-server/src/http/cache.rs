//! `Cache-Control` of the GET resources (`[server.cache]`): how long a
//! cache may reuse an answer before asking again. Every GET answer has an
//! ETag, so asking again is a conditional request answered by a 304.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::HeaderValue;

/// Freshness of GET answers, by resource id (`directory` for the IRD).
#[derive(Debug, Clone, Default)]
pub struct CachePolicy {
    /// For every resource without its own entry. Zero: `no-cache`.
    pub max_age: Duration,
    /// Resource id -> its max-age.
    pub per_resource: HashMap<String, Duration>,
    /// Answers need credentials (`alto-bearer-token`): a shared cache must
    /// not hand them to other clients while fresh, unchecked (RFC 9111
    /// §3.5 would allow it for `must-revalidate` answers), so fresh-for-N
    /// answers are `private`. `no-cache` ones are checked each time anyway.
    pub private: bool,
}

impl CachePolicy {
    /// `no-cache` (revalidate every time) for an age of 0 s, else
    /// `max-age=N, must-revalidate`: fresh for N seconds, and never served
    /// stale once they are over (RFC 9111 §5.2.2.2), even by a cache that
    /// loses contact with the server.
    pub fn header(&self, resource_id: &str) -> HeaderValue {
        let age = self
            .per_resource
            .get(resource_id)
            .unwrap_or(&self.max_age)
            .as_secs();
        if age == 0 {
            return HeaderValue::from_static("no-cache");
        }
        let scope = if self.private { "private, " } else { "" };
        HeaderValue::try_from(format!("{scope}max-age={age}, must-revalidate"))
            .unwrap_or(HeaderValue::from_static("no-cache"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_no_cache_and_overrides_win() {
        let policy = CachePolicy {
            max_age: Duration::from_secs(60),
            per_resource: HashMap::from([
                ("agg-propmap".to_owned(), Duration::ZERO),
                ("directory".to_owned(), Duration::from_secs(3600)),
            ]),
            private: false,
        };
        assert_eq!(policy.header("agg-netmap"), "max-age=60, must-revalidate");
        assert_eq!(policy.header("agg-propmap"), "no-cache");
        assert_eq!(policy.header("directory"), "max-age=3600, must-revalidate");
        assert_eq!(CachePolicy::default().header("agg-netmap"), "no-cache");
        let private = CachePolicy {
            private: true,
            ..policy
        };
        assert_eq!(
            private.header("agg-netmap"),
            "private, max-age=60, must-revalidate"
        );
        assert_eq!(private.header("agg-propmap"), "no-cache");
    }
}
