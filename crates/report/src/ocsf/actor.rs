//! Who made a call and from where: OCSF `actor` and `src_endpoint`.

use std::net::IpAddr;

use revertwatch_detect::Evidence;
use serde_json::{json, Value};

use super::text;
use super::vocabulary::{self, OBSERVABLE_HOSTNAME, OBSERVABLE_IP};

/// The caller of one call: `user` (ARN, UPN, e-mail or object id), the service that called on
/// its behalf, and the role or app its session was issued from.
pub fn actor(e: &Evidence) -> Value {
    if e.actor.is_empty() && e.invoked_by.is_none() {
        return Value::Null;
    }
    json!({
        "user": user(&e.actor, &e.actor_type),
        "invoked_by": e.invoked_by.as_deref().map(text),
        "session": e.session_issuer.as_deref().map(|issuer| json!({ "issuer": text(issuer) })),
    })
}

fn user(id: &str, actor_type: &str) -> Value {
    if id.is_empty() {
        return Value::Null;
    }
    let (type_id, caption) = vocabulary::user_type(actor_type);
    let type_name = match (type_id, actor_type.is_empty()) {
        (99, true) => Value::Null,
        // Other: the provider's own word is the best description there is.
        (99, false) => text(actor_type),
        _ => Value::from(caption),
    };
    json!({
        "uid": text(id),
        "name": text(short_name(id)),
        "type_id": if type_name.is_null() { Value::Null } else { Value::from(type_id) },
        "type": type_name,
    })
}

/// The readable part of an identity: an ARN's last path segment (the user, or the role
/// session), else the id itself (a UPN or e-mail already reads as a name).
fn short_name(id: &str) -> &str {
    if id.starts_with("arn:") {
        if let Some((_, tail)) = id.rsplit_once('/') {
            if !tail.is_empty() {
                return tail;
            }
        }
    }
    id
}

/// Where a call came from. Audit logs put more than addresses in that field: CloudTrail writes
/// a service's DNS name (`backup.amazonaws.com`) or `AWS Internal`, GCP `gce-internal-ip`. Only
/// a parsed address goes to `ip` (the schema checks its syntax), a DNS name to `hostname`, and
/// anything else to `name`, so that a hostile value is kept, as data, in a free-text field.
pub enum Source<'a> {
    Ip(String),
    Hostname(&'a str),
    Name(&'a str),
}

impl<'a> Source<'a> {
    pub fn of(raw: &'a str) -> Option<Source<'a>> {
        if raw.is_empty() {
            return None;
        }
        if let Ok(ip) = raw.parse::<IpAddr>() {
            // Canonical text: the schema's pattern and its 40-character cap accept it.
            return Some(Source::Ip(ip.to_string()));
        }
        if raw.contains('.') && is_dns_name(raw) {
            return Some(Source::Hostname(raw));
        }
        Some(Source::Name(raw))
    }

    pub fn endpoint(&self) -> Value {
        match self {
            Source::Ip(ip) => json!({ "ip": ip }),
            Source::Hostname(h) => json!({ "hostname": h }),
            Source::Name(n) => json!({ "name": text(n) }),
        }
    }

    /// The endpoint attribute and observable type, for observables; a bare name has none.
    pub fn observable(&self) -> Option<(&'static str, u32, &str)> {
        match self {
            Source::Ip(ip) => Some(("src_endpoint.ip", OBSERVABLE_IP, ip)),
            Source::Hostname(h) => Some(("src_endpoint.hostname", OBSERVABLE_HOSTNAME, h)),
            Source::Name(_) => None,
        }
    }
}

/// RFC 1123 labels: letters, digits and inner hyphens, dot-separated (OCSF `hostname_t`).
fn is_dns_name(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_go_to_the_field_that_fits() {
        assert!(matches!(Source::of("203.0.113.66"), Some(Source::Ip(ip)) if ip == "203.0.113.66"));
        assert!(matches!(Source::of("2001:DB8::0:1"), Some(Source::Ip(ip)) if ip == "2001:db8::1"));
        assert!(matches!(
            Source::of("backup.amazonaws.com"),
            Some(Source::Hostname(_))
        ));
        assert!(matches!(Source::of("AWS Internal"), Some(Source::Name(_))));
        assert!(matches!(
            Source::of("gce-internal-ip"),
            Some(Source::Name(_))
        ));
        assert!(matches!(
            Source::of("1.2.3.4\"; DROP TABLE x"),
            Some(Source::Name(_))
        ));
        assert!(Source::of("").is_none());
    }

    #[test]
    fn names_are_the_readable_part() {
        assert_eq!(
            short_name("arn:aws:iam::111122223333:user/mallory"),
            "mallory"
        );
        assert_eq!(
            short_name("arn:aws:sts::111122223333:assumed-role/DR/runbook"),
            "runbook"
        );
        assert_eq!(
            short_name("mallory@contoso.example"),
            "mallory@contoso.example"
        );
    }
}
