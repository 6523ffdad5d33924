//! The prefilter: does a record's raw bytes name an operation the pack cares about?
//!
//! Rather than searching every byte for every operation name (dozens of patterns, and Azure's
//! in two casings), it looks for the few keys that hold an operation name (`eventName`,
//! `operationName`, `operation_name`, `methodName`), reads the value that follows, escaped or
//! not (lookup-events and Splunk `_raw` hold records as JSON strings), and looks it up. Each
//! key is one SIMD substring search; the lookup is exact, so a name mentioned in some other
//! field does not make a record a candidate.

use std::collections::HashSet;

use memchr::memmem::Finder;

use crate::model::{lookup_key, Provider};

const NAME_KEYS: [&str; 4] = ["eventName", "operationName", "operation_name", "methodName"];

/// Longest operation name we look for; a longer value is not one of ours.
const MAX_NAME: usize = 160;

/// A byte-level test that passes every record that may name one of the pack's operations,
/// before any JSON is parsed: most records in an audit log are of no interest.
#[derive(Debug, Clone)]
pub struct Prefilter {
    keys: Vec<Finder<'static>>,
    aws: HashSet<String>,
    azure: HashSet<String>,
    gcp: HashSet<String>,
}

impl Prefilter {
    /// A prefilter for these operations, named as each provider logs them.
    pub fn new<'a>(operations: impl IntoIterator<Item = (Provider, &'a str)>) -> Prefilter {
        let keys = NAME_KEYS
            .iter()
            .map(|k| Finder::new(k.as_bytes()).into_owned())
            .collect();
        let mut p = Prefilter {
            keys,
            aws: HashSet::new(),
            azure: HashSet::new(),
            gcp: HashSet::new(),
        };
        for (provider, name) in operations {
            let key = lookup_key(provider, name);
            match provider {
                Provider::Aws => p.aws.insert(key),
                Provider::Azure => p.azure.insert(key),
                Provider::Gcp => p.gcp.insert(key),
            };
        }
        p
    }

    /// Whether `record` may name a wanted operation. False positives are allowed (the record is
    /// then parsed and looked up properly); false negatives are not.
    pub fn is_candidate(&self, record: &[u8]) -> bool {
        if self.names_wanted(record) {
            return true;
        }
        // JSON escapes can spell any character of a key or a name (`\/` in Azure resource
        // types, `\u0049`, `"event\u004eame"`), and the parser reads them as that character:
        // such a record is searched again with its escapes undone. Most records have none, and
        // those pay one memchr for the backslash.
        with_escapes_undone(record).is_some_and(|plain| self.names_wanted(&plain))
    }

    fn names_wanted(&self, record: &[u8]) -> bool {
        // Every key is searched: Azure's REST form has an `eventName` ("BeginRequest") beside
        // its `operationName`, and a run of records may mix providers.
        self.keys.iter().any(|finder| {
            finder.find_iter(record).any(|at| {
                value_after(record, at + finder.needle().len())
                    .is_some_and(|name| self.wanted(name))
            })
        })
    }

    fn wanted(&self, name: &[u8]) -> bool {
        let Ok(name) = std::str::from_utf8(name) else {
            return false;
        };
        self.aws.contains(name)
            || (!self.azure.is_empty() && self.azure.contains(&lookup_key(Provider::Azure, name)))
            || (!self.gcp.is_empty() && self.gcp.contains(&lookup_key(Provider::Gcp, name)))
    }
}

/// The string value after a key ending at `at`: skips the closing quote, the colon, spaces,
/// escape backslashes, and an Azure REST `{"value":` wrapper.
fn value_after(buf: &[u8], mut at: usize) -> Option<&[u8]> {
    let skip = |at: &mut usize| {
        while *at < buf.len()
            && matches!(buf[*at], b'"' | b'\\' | b':' | b' ' | b'\t' | b'\r' | b'\n')
        {
            *at += 1;
        }
    };
    skip(&mut at);
    if buf.get(at) == Some(&b'{') {
        // `{"value": ...}`, where `value` need not come first: the az CLI sorts keys, so
        // `localizedValue` precedes it. The quote before `value` keeps `localizedValue` out.
        let window = &buf[at..buf.len().min(at + 2 * MAX_NAME + 64)];
        let key = memchr::memmem::find(window, b"\"value")
            .or_else(|| memchr::memmem::find(window, b"\\\"value"))?;
        at += key + window[key..].iter().position(|&b| b == b'v')? + "value".len();
        skip(&mut at);
    }
    let rest = &buf[at..buf.len().min(at + MAX_NAME)];
    let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    Some(&rest[..end])
}

/// `record` with its `\/` and `\uXXXX` escapes undone, at any depth of nesting (a record held
/// as a JSON string escapes its own escapes: `\\/`, `\\u0049`); None when it has none. An
/// escape of a quote, a backslash or a control character is left as written, so that the
/// result keeps the record's structure. Reading every run of backslashes as one escape lets
/// through more than the parser would, never less, which is what a prefilter may do.
pub fn with_escapes_undone(record: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut at = 0;
    while let Some(k) = memchr::memchr(b'\\', &record[at..]) {
        let start = at + k;
        let mut end = start;
        while record.get(end) == Some(&b'\\') {
            end += 1;
        }
        at = end;
        let Some((ch, len)) = escaped_char(record, end) else {
            continue;
        };
        let out = out.get_or_insert_with(|| Vec::with_capacity(record.len()));
        out.extend_from_slice(&record[copied..start]);
        let mut utf8 = [0; 4];
        out.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
        copied = end + len;
        at = copied;
    }
    let mut out = out?;
    out.extend_from_slice(&record[copied..]);
    Some(out)
}

/// The character an escape spells, after its backslashes at `buf[at..]`, and the bytes it
/// takes there: `/`, or `uXXXX` (a surrogate pair as two escapes). None for what is kept.
fn escaped_char(buf: &[u8], at: usize) -> Option<(char, usize)> {
    if buf.get(at) == Some(&b'/') {
        return Some(('/', 1));
    }
    let unit = hex4(buf, at)?;
    let (code, len) = if (0xD800..0xDC00).contains(&unit) {
        // A high surrogate: the low one follows as its own escape.
        let mut next = at + 5;
        let backslashes = buf[next..].iter().take_while(|&&b| b == b'\\').count();
        if backslashes == 0 {
            return None;
        }
        next += backslashes;
        let low = hex4(buf, next).filter(|low| (0xDC00..0xE000).contains(low))?;
        (
            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00),
            next + 5 - at,
        )
    } else {
        (unit, 5)
    };
    let ch = char::from_u32(code)?;
    (!matches!(ch, '"' | '\\') && !ch.is_control()).then_some((ch, len))
}

/// The code unit of `uXXXX` at `buf[at..]`.
fn hex4(buf: &[u8], at: usize) -> Option<u32> {
    let digits = buf.get(at..at + 5)?.strip_prefix(b"u")?;
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

impl crate::model::Pack {
    /// The literal scan for this pack's operations.
    pub fn prefilter(&self) -> Prefilter {
        Prefilter::new(self.entries.iter().map(|e| (e.provider, e.name.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pf() -> Prefilter {
        Prefilter::new([
            (Provider::Aws, "StopInstances"),
            (Provider::Azure, "Microsoft.Compute/disks/write"),
            (Provider::Gcp, "compute.disks.insert"),
        ])
    }

    #[test]
    fn finds_names_in_every_shape() {
        let p = pf();
        assert!(p.is_candidate(br#"{"eventVersion":"1.08","eventName":"StopInstances"}"#));
        assert!(p.is_candidate(br#"{"eventName": "StopInstances"}"#));
        assert!(p.is_candidate(br#"{"CloudTrailEvent":"{\"eventName\":\"StopInstances\"}"}"#));
        assert!(p.is_candidate(br#"{"operationName":"MICROSOFT.COMPUTE/DISKS/WRITE"}"#));
        assert!(p.is_candidate(
            br#"{"operationName":{"value":"Microsoft.Compute/disks/write","localizedValue":"x"}}"#
        ));
        assert!(
            p.is_candidate(br#"{"operation_name": {"value": "Microsoft.Compute/disks/write"}}"#)
        );
        assert!(p.is_candidate(br#"{"protoPayload":{"methodName":"v1.compute.disks.insert"}}"#));
        assert!(p.is_candidate(br#"{"protoPayload":{"methodName":"beta.compute.disks.insert"}}"#));
    }

    #[test]
    fn names_elsewhere_or_lookalikes_are_not_candidates() {
        let p = pf();
        assert!(!p.is_candidate(br#"{"eventName":"DescribeInstances","note":"StopInstances"}"#));
        assert!(!p.is_candidate(br#"{"eventName":"StopInstancesX"}"#));
        assert!(!p.is_candidate(br#"{"eventName":"stopinstances"}"#));
        assert!(!p.is_candidate(br#"{"methodName":"v1.compute.disks.delete"}"#));
        assert!(!p.is_candidate(br#"{"eventName"#));
    }

    #[test]
    fn the_az_cli_sorts_localized_value_before_value() {
        let az = br#"{"operationName":{"localizedValue":"Create or Update Disk","value":"Microsoft.Compute/disks/write"}}"#;
        assert!(pf().is_candidate(az));
        let other = br#"{"operationName":{"localizedValue":"Microsoft.Compute/disks/write","value":"Microsoft.Compute/disks/read"}}"#;
        assert!(!pf().is_candidate(other));
    }

    #[test]
    fn names_and_keys_written_with_escapes_are_candidates() {
        let p = pf();
        assert!(p.is_candidate(br#"{"operationName":"Microsoft.Compute\/disks\/write"}"#));
        assert!(p.is_candidate(br#"{"eventName":"Stop\u0049nstances"}"#));
        assert!(p.is_candidate(br#"{"event\u004eame":"StopInstances"}"#));
        assert!(p.is_candidate(br#"{"\u0065ventName":"\u0053topInstances"}"#));
        assert!(p.is_candidate(br#"{"CloudTrailEvent":"{\"eventName\":\"Stop\\u0049nstances\"}"}"#));
        assert!(p.is_candidate(
            br#"{"_raw":"{\"operationName\":\"Microsoft.Compute\\\/disks\\\/write\"}"}"#
        ));
        // Escapes that do not spell a wanted name are still rejected.
        assert!(!p.is_candidate(br#"{"eventName":"Stop\u0022Instances"}"#));
        assert!(!p.is_candidate(br#"{"eventName":"Describe\u0049nstances"}"#));
        assert!(!p.is_candidate(br#"{"eventName":"Stop\uD83DInstances\u"}"#));
    }

    #[test]
    fn an_azure_rest_event_name_does_not_hide_its_operation() {
        let rest = br#"{"eventName":{"value":"BeginRequest"},"operationName":{"value":"Microsoft.Compute/disks/write"}}"#;
        assert!(pf().is_candidate(rest));
    }
}
