use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

/// How the bytes of an input were compressed, as sniffed from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// Gzip, one member or many (as `cat` of `.gz` files makes).
    Gzip,
}

const READ_BUFFER: usize = 256 * 1024;

/// Opens a file and wraps it in a decompressor when its first bytes say gzip. The file name is
/// never consulted: S3 downloads lose their `.gz`, and tools add it to plain files.
pub fn open_path(path: &Path) -> io::Result<(Box<dyn Read + Send>, Compression)> {
    let file = File::open(path)?;
    open_reader(file)
}

/// Same as [`open_path`] for any reader (stdin, an object-store body).
pub fn open_reader<R: Read + Send + 'static>(
    reader: R,
) -> io::Result<(Box<dyn Read + Send>, Compression)> {
    let mut buffered = BufReader::with_capacity(READ_BUFFER, reader);
    let head = buffered.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok((Box::new(MultiGzDecoder::new(buffered)), Compression::Gzip))
    } else {
        Ok((Box::new(buffered), Compression::None))
    }
}
