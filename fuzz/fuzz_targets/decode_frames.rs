//! The framer on raw bytes. Besides not panicking, it must keep what `Frame` promises: each
//! frame is the input's own bytes at its offset, on its line, after the frame before it. How
//! the reader hands out bytes must not change the frames, and an interest callback may only
//! drop whole records: on well-formed input, what it accepts comes out exactly as without it.

#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use revertwatch_decode::{decode, Decoded, Interest, Layout, Limits};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Framed {
    offset: u64,
    line: u64,
    bytes: Vec<u8>,
}

fn frames(
    reader: impl Read,
    limits: &Limits,
    interest: Option<Interest<'_>>,
) -> (Vec<Framed>, Decoded) {
    let mut out = Vec::new();
    let decoded = decode(reader, limits, interest, &mut |f| {
        out.push(Framed {
            offset: f.offset,
            line: f.line,
            bytes: f.bytes.to_vec(),
        })
    });
    (out, decoded)
}

/// Hands out the input in pieces of varying size, as a gzip stream or a pipe does.
struct Trickle<'a> {
    data: &'a [u8],
    turn: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const SIZES: [usize; 6] = [1, 7, 64, 300, 4096, 3];
        let n = SIZES[self.turn % SIZES.len()]
            .min(buf.len())
            .min(self.data.len());
        self.turn += 1;
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn check(data: &[u8], framed: &[Framed], decoded: &Decoded, emitted_all: bool) {
    let (mut end, mut line, mut counted) = (0u64, 1u64, 0usize);
    for f in framed {
        assert!(!f.bytes.is_empty(), "empty frame at {}", f.offset);
        assert!(
            f.offset >= end,
            "frame at {} overlaps the one ending at {end}",
            f.offset
        );
        let start = f.offset as usize;
        let stop = start + f.bytes.len();
        assert!(
            stop <= data.len(),
            "frame at {start}..{stop} beyond {}",
            data.len()
        );
        assert_eq!(
            &data[start..stop],
            &f.bytes[..],
            "frame bytes differ at {start}"
        );
        line += data[counted..start].iter().filter(|&&b| b == b'\n').count() as u64;
        counted = start;
        assert_eq!(f.line, line, "frame at {start} has the wrong line");
        end = stop as u64;
    }
    match decoded.layout {
        // Text and binary inputs are told apart by their head; the rest is never read.
        Layout::Text | Layout::Binary => assert!(decoded.bytes <= data.len() as u64),
        _ => assert_eq!(decoded.bytes, data.len() as u64, "bytes read"),
    }
    if emitted_all {
        assert_eq!(decoded.frames, framed.len() as u64, "frames counted");
    } else {
        assert!(decoded.frames >= framed.len() as u64, "frames counted");
    }
    for issue in &decoded.issues {
        assert!(
            issue.offset <= data.len() as u64,
            "issue beyond the input: {issue}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let (limits, data) = revertwatch_fuzz::limits(data);
    let (plain, decoded) = frames(data, &limits, None);
    check(data, &plain, &decoded, true);

    let everything = |_: &[u8]| true;
    let (all, decoded_all) = frames(data, &limits, Some(&everything));
    check(data, &all, &decoded_all, true);
    assert_eq!(
        plain, all,
        "an interest that accepts everything changed the frames"
    );
    assert_eq!(decoded.issues, decoded_all.issues);

    // With an interest that rejects some records. An interest is a test a record's bytes pass
    // or fail anywhere in them (as the prefilter is), so a run of several records may be dropped
    // as one. On well-formed input (no issues, every frame JSON) what comes out must be exactly
    // the plain frames it accepts: a dropped run must hold whole records. Broken input may frame
    // differently (crates/decode checks a dropped run by its braces only; docs/RELIABILITY.md).
    let wanted = |b: &[u8]| memchr::memmem::find(b, b"Instances").is_some();
    let (picked, decoded_picked) = frames(data, &limits, Some(&wanted));
    check(data, &picked, &decoded_picked, false);
    let well_formed = decoded.issues.is_empty()
        && plain
            .iter()
            .all(|f| serde_json::from_slice::<serde_json::Value>(&f.bytes).is_ok());
    if well_formed {
        // Both lists are in input order, so one pass over the plain frames compares them.
        let mut rest = plain.iter().peekable();
        for f in &picked {
            while rest.next_if(|p| p.offset < f.offset).is_some() {}
            assert_eq!(
                rest.next(),
                Some(f),
                "a frame with an interest is not a plain frame"
            );
        }
        let accepted = plain.iter().filter(|f| wanted(&f.bytes)).count();
        let picked_accepted = picked.iter().filter(|f| wanted(&f.bytes)).count();
        assert_eq!(
            accepted, picked_accepted,
            "a record the interest accepts was lost"
        );
    }

    // Small reads cost a refill each; keep the input small enough to stay fast.
    if data.len() <= 16 * 1024 {
        let (trickled, decoded_trickled) = frames(Trickle { data, turn: 0 }, &limits, None);
        check(data, &trickled, &decoded_trickled, true);
        assert_eq!(
            plain, trickled,
            "frames depend on how the reader splits the input"
        );
    }
});
