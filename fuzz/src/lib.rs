//! Shared pieces of the fuzz targets: the hunt pipeline as the CLI runs it, and record
//! templates that the structured target fills with fuzzer-chosen values.

pub mod hunt;
pub mod template;

use revertwatch_decode::Limits;

/// Limits drawn from the input's first bytes, and the rest of the input: usually small, so
/// that the paths for a record too large or too deep are reached, not only the happy ones.
/// A first byte with its top bit set keeps the CLI's defaults.
pub fn limits(data: &[u8]) -> (Limits, &[u8]) {
    let mut u = arbitrary::Unstructured::new(data);
    let pick: u8 = u.arbitrary().unwrap_or(0x80);
    let bytes: u16 = u.arbitrary().unwrap_or(u16::MAX);
    let rest = &data[data.len().min(3)..];
    if pick & 0x80 != 0 {
        return (Limits::default(), rest);
    }
    let limits = Limits {
        max_record_bytes: 1 + usize::from(bytes) * 4,
        max_depth: 1 + u32::from(pick & 0x3f),
    };
    (limits, rest)
}
