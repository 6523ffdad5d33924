//! Where the incident happened: OCSF `cloud`, `resources` and, for a machine, `device`.

use revertwatch_detect::Incident;
use revertwatch_pack::Provider;
use serde_json::{json, Value};

use super::text;
use super::vocabulary::{self, DEVICE_VIRTUAL};

/// Account, subscription or project; region (a GCP zone is split into region and zone); and
/// for AWS the partition, read from the callers' ARNs.
pub fn cloud(i: &Incident) -> Value {
    let (type_id, caption) = vocabulary::account_type(i.provider);
    let (region, zone) = region_and_zone(i.provider, &i.region);
    json!({
        "provider": vocabulary::provider_name(i.provider),
        "account": if i.account.is_empty() {
            Value::Null
        } else {
            json!({ "uid": text(&i.account), "type_id": type_id, "type": caption })
        },
        "project_uid": if i.provider == Provider::Gcp { text(&i.account) } else { Value::Null },
        "region": text(region),
        "zone": zone.map(text),
        "cloud_partition": partition(i).map(text),
    })
}

/// The target first, then every resource the evidence calls named, once each.
pub fn resources(i: &Incident) -> Vec<Value> {
    let mut seen: Vec<(&str, &str)> = vec![(&i.target_kind, &i.target)];
    for r in i.evidence.iter().flat_map(|e| &e.resources) {
        if !seen.contains(&(r.kind.as_str(), r.id.as_str())) {
            seen.push((&r.kind, &r.id));
        }
    }
    let (region, _) = region_and_zone(i.provider, &i.region);
    let partition = partition(i);
    seen.into_iter()
        .map(|(kind, id)| {
            json!({
                "uid": text(id),
                "type": text(kind),
                "name": path_name(id).map(text),
                "region": text(region),
                "cloud_partition": partition.map(text),
            })
        })
        .collect()
}

/// The instance or VM itself, when the incident's target is one.
pub fn device(i: &Incident) -> Value {
    if !matches!(i.target_kind.as_str(), "instance" | "vm" | "vmss") {
        return Value::Null;
    }
    let (region, _) = region_and_zone(i.provider, &i.region);
    json!({
        "type_id": DEVICE_VIRTUAL.0,
        "type": DEVICE_VIRTUAL.1,
        "uid": text(&i.target),
        "instance_uid": text(&i.target),
        "name": path_name(&i.target).map(text),
        "region": text(region),
    })
}

/// The last segment of a path-shaped id: an Azure resource id or GCP resource name ends with
/// the resource's own name.
fn path_name(id: &str) -> Option<&str> {
    id.rsplit_once('/')
        .map(|(_, name)| name)
        .filter(|n| !n.is_empty())
}

/// GCP audit logs name a zone (`us-central1-a`) where other clouds name a region; the region
/// is the zone without its letter.
fn region_and_zone(provider: Provider, raw: &str) -> (&str, Option<&str>) {
    if provider == Provider::Gcp {
        if let Some((region, letter)) = raw.rsplit_once('-') {
            let is_zone = letter.len() == 1
                && letter.bytes().all(|b| b.is_ascii_lowercase())
                && region.bytes().last().is_some_and(|b| b.is_ascii_digit());
            if is_zone {
                return (region, Some(raw));
            }
        }
    }
    (raw, None)
}

/// `aws`, `aws-cn`, `aws-us-gov`...: the second field of any caller's ARN.
fn partition(i: &Incident) -> Option<&str> {
    if i.provider != Provider::Aws {
        return None;
    }
    i.evidence
        .iter()
        .flat_map(|e| [Some(e.actor.as_str()), e.session_issuer.as_deref()])
        .flatten()
        .find_map(|arn| arn.strip_prefix("arn:")?.split(':').next())
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcp_zones_split_into_region_and_zone() {
        assert_eq!(
            region_and_zone(Provider::Gcp, "us-central1-a"),
            ("us-central1", Some("us-central1-a"))
        );
        assert_eq!(
            region_and_zone(Provider::Gcp, "us-central1"),
            ("us-central1", None)
        );
        assert_eq!(
            region_and_zone(Provider::Aws, "us-east-1"),
            ("us-east-1", None)
        );
    }

    #[test]
    fn path_names_are_the_last_segment() {
        assert_eq!(
            path_name("projects/p/zones/z/instances/web-4"),
            Some("web-4")
        );
        assert_eq!(path_name("i-0a1b2c3d4e5f60004"), None);
    }
}
