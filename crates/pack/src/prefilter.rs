use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// A literal scan of raw record bytes for the pack's operation names. A record that mentions
/// none of them cannot match, so it is never parsed. Matching ignores ASCII case because Azure
/// writes operation names both as `Microsoft.Compute/disks/write` and in upper case.
#[derive(Debug, Clone)]
pub struct Prefilter {
    matcher: AhoCorasick,
}

impl Prefilter {
    pub fn new<I, S>(literals: I) -> Prefilter
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(literals)
            .expect("operation names are short literals");
        Prefilter { matcher }
    }

    pub fn is_candidate(&self, record: &[u8]) -> bool {
        self.matcher.is_match(record)
    }
}
