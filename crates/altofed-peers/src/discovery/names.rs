//! Steps 1-2 of RFC 8686 (§3.2, §3.3): the reverse names to look up, in order.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// Shortest IPv4 prefix RFC 8686 §3.2 accepts.
pub const MIN_IPV4_PREFIX: u8 = 8;
/// Shortest IPv6 prefix RFC 8686 §3.2 accepts.
pub const MIN_IPV6_PREFIX: u8 = 32;

/// The prefix lengths whose reverse names are tried, longest first (RFC 8686 §3.3).
const IPV4_STEPS: [u8; 4] = [32, 24, 16, 8];
const IPV6_STEPS: [u8; 6] = [128, 64, 56, 48, 40, 32];

/// The names to try for `target`, in lookup order, without the trailing dot:
/// first the name matching the prefix length, then the shorter ones (RFC 8686
/// §3.4). `None` for a prefix shorter than /8 (IPv4) or /32 (IPv6) (§3.2).
pub fn reverse_names(target: IpNet) -> Option<Vec<String>> {
    match target {
        IpNet::V4(net) => ipv4_names(net),
        IpNet::V6(net) => ipv6_names(net),
    }
}

/// The minimum prefix length for `target`'s address family.
pub fn min_prefix_len(target: IpNet) -> u8 {
    match target {
        IpNet::V4(_) => MIN_IPV4_PREFIX,
        IpNet::V6(_) => MIN_IPV6_PREFIX,
    }
}

fn ipv4_names(net: Ipv4Net) -> Option<Vec<String>> {
    let octets = net.addr().octets();
    let names = IPV4_STEPS
        .iter()
        .filter(|&&step| step <= net.prefix_len())
        .map(|&step| ipv4_name(&octets, usize::from(step / 8)))
        .collect::<Vec<_>>();
    (!names.is_empty()).then_some(names)
}

/// `d.c.b.a.in-addr.arpa` for the first `labels` octets.
fn ipv4_name(octets: &[u8; 4], labels: usize) -> String {
    let mut name = String::new();
    for octet in octets[..labels].iter().rev() {
        let _ = write!(name, "{octet}.");
    }
    name.push_str("in-addr.arpa");
    name
}

fn ipv6_names(net: Ipv6Net) -> Option<Vec<String>> {
    let nibbles = nibbles(net.addr());
    let names = IPV6_STEPS
        .iter()
        .filter(|&&step| step <= net.prefix_len())
        .map(|&step| ipv6_name(&nibbles, usize::from(step / 4)))
        .collect::<Vec<_>>();
    (!names.is_empty()).then_some(names)
}

/// The 32 nibbles of an address, most significant first.
fn nibbles(addr: Ipv6Addr) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in addr.octets().iter().enumerate() {
        out[2 * i] = byte >> 4;
        out[2 * i + 1] = byte & 0x0f;
    }
    out
}

/// `n.n.….ip6.arpa` for the first `labels` nibbles.
fn ipv6_name(nibbles: &[u8; 32], labels: usize) -> String {
    let mut name = String::new();
    for nibble in nibbles[..labels].iter().rev() {
        let _ = write!(name, "{nibble:x}.");
    }
    name.push_str("ip6.arpa");
    name
}

/// Displays a target: an address without `/32` or `/128`, a prefix as is.
pub fn display_target(target: IpNet) -> String {
    if target.prefix_len() == target.max_prefix_len() {
        target.addr().to_string()
    } else {
        target.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Option<Vec<String>> {
        reverse_names(s.parse().expect("prefix"))
    }

    #[test]
    fn ipv4_address_tries_four_names() {
        assert_eq!(
            names("192.0.2.10/32").expect("names"),
            [
                "10.2.0.192.in-addr.arpa",
                "2.0.192.in-addr.arpa",
                "0.192.in-addr.arpa",
                "192.in-addr.arpa"
            ]
        );
    }

    #[test]
    fn ipv4_prefix_starts_at_its_length() {
        assert_eq!(
            names("192.0.2.0/31").expect("names")[0],
            "2.0.192.in-addr.arpa"
        );
        assert_eq!(names("192.0.2.0/24").expect("names").len(), 3);
        assert_eq!(
            names("192.0.0.0/23").expect("names")[0],
            "0.192.in-addr.arpa"
        );
        assert_eq!(names("192.0.0.0/15").expect("names"), ["192.in-addr.arpa"]);
        assert_eq!(names("192.0.0.0/8").expect("names"), ["192.in-addr.arpa"]);
        assert_eq!(names("192.0.0.0/7"), None);
    }

    #[test]
    fn ipv6_address_tries_six_names() {
        let all = names("2001:db8:1:2:3:4:5:6/128").expect("names");
        assert_eq!(all.len(), 6);
        assert_eq!(
            all[0],
            "6.0.0.0.5.0.0.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
        assert_eq!(all[1], "2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
        assert_eq!(all[2], "0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
        assert_eq!(all[3], "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
        assert_eq!(all[4], "0.0.8.b.d.0.1.0.0.2.ip6.arpa");
        assert_eq!(all[5], "8.b.d.0.1.0.0.2.ip6.arpa");
    }

    #[test]
    fn ipv6_prefix_starts_at_its_length() {
        assert_eq!(names("2001:db8::/127").expect("names").len(), 5);
        assert_eq!(names("2001:db8::/64").expect("names").len(), 5);
        assert_eq!(names("2001:db8::/63").expect("names").len(), 4);
        assert_eq!(names("2001:db8::/39").expect("names").len(), 1);
        assert_eq!(names("2001:db8::/32").expect("names").len(), 1);
        assert_eq!(names("2001:d00::/31"), None);
    }

    #[test]
    fn targets_display_without_host_length() {
        assert_eq!(
            display_target("192.0.2.1/32".parse().expect("net")),
            "192.0.2.1"
        );
        assert_eq!(
            display_target("2001:db8::/48".parse().expect("net")),
            "2001:db8::/48"
        );
    }
}
