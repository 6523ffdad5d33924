//! Records built from fuzzer-chosen values, so that the structured target reaches the
//! provider mappers and the envelope code instead of stopping at the JSON parser.
//!
//! A [`Batch`] is a few records, each a CloudTrail, Azure or GCP record of an operation from the
//! default pack, with its request and response filled at the pack's own paths (so that
//! lineage and conditions see real shapes), wrapped in one of the envelopes the tools write
//! (EventBridge, lookup-events, Splunk, CloudWatch Logs, Pub/Sub...) and laid out in one of
//! the containers (JSON Lines, arrays, `{"Records":[...]}`, pretty streams, gzip). Strings an
//! attacker could choose come from the fuzzer.

use std::io::Write;

mod record;
mod roots;

use arbitrary::Arbitrary;
use revertwatch_pack::{Pack, Provider};
use serde_json::{json, Map, Value};

/// A string: one of a few that matter (ids that link, odd spellings), or the fuzzer's own.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    Pool(u8),
    Raw(String),
}

const ODD: [&str; 10] = [
    "",
    " ",
    "null",
    "\u{202e}evil",
    "=cmd|' /C calc'!A0",
    "{\"eventName\":\"StopInstances\"}",
    "\\\"eventName\\\":\\\"StartInstances\\\"",
    "<script>alert(1)</script>",
    "a\nb\r\nc\td",
    "\u{0}\u{1b}[31m",
];

impl Text {
    fn resolve(&self, pool: &[&str]) -> String {
        match self {
            Text::Pool(n) => {
                let n = *n as usize;
                if n < pool.len() {
                    pool[n].to_string()
                } else {
                    ODD[n % ODD.len()].to_string()
                }
            }
            Text::Raw(s) => s.clone(),
        }
    }

    fn plain(&self) -> String {
        self.resolve(&[])
    }
}

const AWS_IDS: [&str; 7] = [
    "i-0a1b2c3d4e5f60001",
    "i-0a1b2c3d4e5f60002",
    "vol-0aaa000000000001",
    "vol-0aaa000000000002",
    "snap-0feedface0000001",
    "ami-0abc000000000001",
    " i-0a1b2c3d4e5f60001 ",
];
const AZURE_IDS: [&str; 6] = [
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
    "/SUBSCRIPTIONS/0B1F6471-1BF0-4DDA-AEC3-CB9272F09590/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1/",
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Compute/disks/disk1",
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Compute/snapshots/snap1",
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Compute/restorePointCollections/c/restorePoints/rp1",
    "/subscriptions/",
];
const GCP_IDS: [&str; 7] = [
    "projects/p1/zones/us-central1-a/instances/vm-1",
    "https://www.googleapis.com/compute/v1/projects/p1/zones/us-central1-a/disks/d-1",
    "zones/us-central1-a/disks/d-1",
    "projects/p1/global/snapshots/s-1",
    "projects/p1/global/images/img-1",
    "global/machineImages/mi-1",
    "projects/",
];

/// A time: a good one in one of the spellings the clouds use, or the fuzzer's text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Time {
    /// Minutes after 2026-03-14T13:00:00Z, and how to spell it.
    Good(u16, Spelling),
    Number(i64),
    Float(f64),
    Raw(String),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Spelling {
    Zulu,
    Fraction,
    Offset,
    Space,
    Bare,
    EpochSeconds,
    EpochMillis,
}

impl Time {
    fn json(&self) -> Value {
        const BASE: i64 = 1_773_493_200; // 2026-03-14T13:00:00Z
        match self {
            Time::Good(min, spelling) => {
                let secs = BASE + i64::from(*min) * 60;
                let t = chrono::DateTime::from_timestamp(secs, 0).expect("in range");
                match spelling {
                    Spelling::Zulu => json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
                    Spelling::Fraction => {
                        json!(t.format("%Y-%m-%dT%H:%M:%S.1234567Z").to_string())
                    }
                    Spelling::Offset => json!((t + chrono::Duration::hours(1))
                        .format("%Y-%m-%dT%H:%M:%S+01:00")
                        .to_string()),
                    Spelling::Space => json!(t.format("%Y-%m-%d %H:%M:%S+00:00").to_string()),
                    Spelling::Bare => json!(t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                    Spelling::EpochSeconds => json!(secs),
                    Spelling::EpochMillis => json!(secs * 1000),
                }
            }
            Time::Number(n) => json!(n),
            Time::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Time::Raw(s) => json!(s),
        }
    }

    fn is_good(&self) -> bool {
        matches!(self, Time::Good(..))
    }
}

/// How the record is wrapped.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    CloudTrail,
    EventBridge,
    LookupEvents,
    SplunkRaw,
    CloudWatchMessage,
    AwsLogs,
    AzureEventHub,
    AzureRest,
    AzurePythonSdk,
    AzureSplunkBody,
    GcpEntry,
    GcpPubSub,
}

impl Shape {
    fn provider(self) -> Provider {
        match self {
            Shape::CloudTrail
            | Shape::EventBridge
            | Shape::LookupEvents
            | Shape::SplunkRaw
            | Shape::CloudWatchMessage
            | Shape::AwsLogs => Provider::Aws,
            Shape::AzureEventHub
            | Shape::AzureRest
            | Shape::AzurePythonSdk
            | Shape::AzureSplunkBody => Provider::Azure,
            Shape::GcpEntry | Shape::GcpPubSub => Provider::Gcp,
        }
    }

    /// Needs base64 to undo, so the prefilter cannot see inside.
    fn opaque(self) -> bool {
        matches!(self, Shape::AwsLogs | Shape::GcpPubSub)
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Casing {
    AsIs,
    Upper,
    Lower,
    /// GCP's API version prefix.
    Versioned,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Record {
    pub shape: Shape,
    /// Which of the provider's pack entries the record calls.
    pub entry: u8,
    pub casing: Casing,
    /// Replaces the operation name: then the record need not be kept.
    pub operation: Option<Text>,
    pub time: Time,
    pub actor: Text,
    pub source_ip: Text,
    pub user_agent: Text,
    /// Ids for the entry's resource roles, in role order.
    pub ids: Vec<Text>,
    /// Which alternative path of each role to fill.
    pub path_choice: u8,
    /// Leave the entry's conditions unfilled (the call is then a link).
    pub weaken: bool,
    pub failed: Option<Text>,
    /// Azure status / GCP phase.
    pub phase: u8,
    pub correlation: u8,
    pub event_id: Option<Text>,
    pub tag: Option<(Text, Text)>,
    /// Azure bodies as JSON strings (as the Activity Log writes them) or objects.
    pub body_as_string: bool,
    /// Cut the base64 or JSON string an envelope carries, by this many bytes.
    pub damage: Option<u8>,
    /// Base64 alphabet for the opaque envelopes.
    pub url_safe: bool,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Layout {
    Lines,
    CrLfLines,
    Array,
    PrettyArray,
    Wrapped(WrapKey),
    PrettyStream,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum WrapKey {
    Records,
    LowerRecords,
    Value,
    Events,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Batch {
    pub records: Vec<Record>,
    pub layout: Layout,
    pub byte_order_mark: bool,
    pub gzip: bool,
    /// Truncate the input at this byte (after compression).
    pub cut: Option<u16>,
}

/// The bytes of a batch, and how many of its records must come out as calls: those built
/// wholly from good values, undamaged, of an operation the pack keeps, and visible to the
/// prefilter (or in an input whose first record is opaque, which makes every record parsed).
pub struct Built {
    pub bytes: Vec<u8>,
    pub must_map: usize,
}

impl Batch {
    pub fn build(&self, pack: &Pack) -> Built {
        let first_opaque = self.records.first().is_some_and(|r| r.shape.opaque());
        let mut values = Vec::new();
        let mut must_map = 0;
        for (n, record) in self.records.iter().enumerate() {
            let (value, clean) = record.envelope(pack, n);
            let seen = first_opaque || !record.shape.opaque() || n == 0;
            if clean && seen {
                must_map += 1;
            }
            values.push(value);
        }
        let mut bytes = Vec::new();
        if self.byte_order_mark {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        let compact = |v: &Value| serde_json::to_string(v).expect("serializes");
        let pretty = |v: &Value| serde_json::to_string_pretty(v).expect("serializes");
        match self.layout {
            Layout::Lines | Layout::CrLfLines => {
                let end = if matches!(self.layout, Layout::CrLfLines) {
                    "\r\n"
                } else {
                    "\n"
                };
                for v in &values {
                    bytes.extend_from_slice(compact(v).as_bytes());
                    bytes.extend_from_slice(end.as_bytes());
                }
            }
            Layout::Array => bytes.extend_from_slice(compact(&Value::Array(values)).as_bytes()),
            Layout::PrettyArray => {
                bytes.extend_from_slice(pretty(&Value::Array(values)).as_bytes())
            }
            Layout::Wrapped(key) => {
                let key = match key {
                    WrapKey::Records => "Records",
                    WrapKey::LowerRecords => "records",
                    WrapKey::Value => "value",
                    WrapKey::Events => "Events",
                };
                let mut map = Map::new();
                map.insert(key.to_string(), Value::Array(values));
                bytes.extend_from_slice(compact(&Value::Object(map)).as_bytes());
            }
            Layout::PrettyStream => {
                for v in &values {
                    bytes.extend_from_slice(pretty(v).as_bytes());
                    bytes.push(b'\n');
                }
            }
        }
        if self.gzip {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).expect("in memory");
            bytes = gz.finish().expect("in memory");
        }
        if let Some(cut) = self.cut {
            let cut = usize::from(cut);
            if cut < bytes.len() {
                bytes.truncate(cut);
                must_map = 0;
            }
        }
        Built { bytes, must_map }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hunt::{default_pack, read};

    const SHAPES: [Shape; 12] = [
        Shape::CloudTrail,
        Shape::EventBridge,
        Shape::LookupEvents,
        Shape::SplunkRaw,
        Shape::CloudWatchMessage,
        Shape::AwsLogs,
        Shape::AzureEventHub,
        Shape::AzureRest,
        Shape::AzurePythonSdk,
        Shape::AzureSplunkBody,
        Shape::GcpEntry,
        Shape::GcpPubSub,
    ];

    fn clean(shape: Shape, entry: u8) -> Record {
        Record {
            shape,
            entry,
            casing: Casing::Upper,
            operation: None,
            time: Time::Good(u16::from(entry), Spelling::Fraction),
            actor: Text::Raw("mallory".into()),
            source_ip: Text::Pool(200),
            user_agent: Text::Pool(5),
            ids: vec![Text::Pool(0), Text::Pool(2), Text::Pool(4)],
            path_choice: entry,
            weaken: false,
            failed: None,
            phase: entry,
            correlation: entry,
            event_id: None,
            tag: Some((Text::Raw("k".into()), Text::Raw("v".into()))),
            body_as_string: entry.is_multiple_of(2),
            damage: None,
            url_safe: entry % 2 == 1,
        }
    }

    /// The oracle in `envelope_json` is only worth something if clean records do map: every
    /// shape, in every layout, gives one call per record.
    #[test]
    fn clean_records_of_every_shape_map_in_every_layout() {
        let layouts = [
            Layout::Lines,
            Layout::CrLfLines,
            Layout::Array,
            Layout::PrettyArray,
            Layout::Wrapped(WrapKey::Records),
            Layout::PrettyStream,
        ];
        for shape in SHAPES {
            for layout in layouts {
                for gzip in [false, true] {
                    let batch = Batch {
                        records: (0..6).map(|n| clean(shape, n * 7)).collect(),
                        layout,
                        byte_order_mark: gzip,
                        gzip,
                        cut: None,
                    };
                    let built = batch.build(default_pack());
                    let report = read(&built.bytes);
                    assert_eq!(built.must_map, 6, "{shape:?} {layout:?}");
                    assert_eq!(
                        report.calls.len(),
                        6,
                        "{shape:?} {layout:?} gzip {gzip}: {:?}\n{}",
                        report.skips,
                        String::from_utf8_lossy(&built.bytes)
                    );
                }
            }
        }
    }
}
