use std::fs::File;
use std::io::{self, BufReader, Read};
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
    // The magic is judged on two bytes, however few the first read returns (a pipe fed a
    // byte at a time).
    let mut reader = reader;
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < magic.len() {
        match reader.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let head = io::Cursor::new(magic[..got].to_vec());
    let buffered = BufReader::with_capacity(READ_BUFFER, head.chain(reader));
    if magic[..got] == [0x1f, 0x8b] {
        Ok((Box::new(MultiGzDecoder::new(buffered)), Compression::Gzip))
    } else {
        Ok((Box::new(buffered), Compression::None))
    }
}
