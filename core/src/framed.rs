//! The file layout shared by bundles and checkpoints (integers little-endian):
//! `MAGIC` (8 bytes) | u32 format version | sections, each a u64 length then its bytes |
//! SHA-256 of all the bytes before it.
//!
//! Reading checks signature, version, checksum and structure, in that order, so an
//! error says what is actually wrong.

use sha2::{Digest, Sha256};

const CHECKSUM_LEN: usize = 32;

/// Why bytes could not be read as a framed file.
#[derive(Debug, PartialEq)]
pub(crate) enum FrameError {
    /// Not this kind of file at all (wrong signature).
    Foreign(String),
    /// The right kind of file, damaged or from another version.
    Corrupt(String),
}

pub(crate) fn write(magic: &[u8; 8], version: u32, sections: &[&[u8]]) -> Vec<u8> {
    let size = sections.iter().map(|s| s.len() + 8).sum::<usize>() + 12 + CHECKSUM_LEN;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    for section in sections {
        out.extend_from_slice(&(section.len() as u64).to_le_bytes());
        out.extend_from_slice(section);
    }
    let checksum = Sha256::digest(&out);
    out.extend_from_slice(&checksum);
    out
}

/// The sections of a file written by [`write`] with the same `magic` and `version`;
/// there must be at least `min_count`.
pub(crate) fn read<'a>(
    bytes: &'a [u8],
    magic: &[u8; 8],
    version: u32,
    min_count: usize,
) -> Result<Vec<&'a [u8]>, FrameError> {
    if bytes.len() < magic.len() || &bytes[..magic.len()] != magic {
        return Err(FrameError::Foreign("it does not start with the Fornax signature".into()));
    }
    let mut reader = Reader { bytes, pos: magic.len() };
    let found = u32::from_le_bytes(reader.take(4)?.try_into().expect("4 bytes"));
    if found != version {
        let what_to_do = if found > version {
            "it was written by a newer Fornax: open it with that version or newer"
        } else {
            "it was written by an older Fornax that this one cannot read"
        };
        return Err(FrameError::Corrupt(format!(
            "format version {found} is not supported (this Fornax reads version {version}); {what_to_do}"
        )));
    }
    if bytes.len() < reader.pos + CHECKSUM_LEN {
        return Err(FrameError::Corrupt("the file is truncated".into()));
    }
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if Sha256::digest(body).as_slice() != checksum {
        return Err(FrameError::Corrupt("the checksum does not match: the file was truncated or altered".into()));
    }
    let mut reader = Reader { bytes: body, pos: reader.pos };
    let mut sections = Vec::new();
    while reader.pos < body.len() {
        let len = reader.length()?;
        sections.push(reader.take(len)?);
    }
    if sections.len() < min_count {
        return Err(FrameError::Corrupt(format!("it has {} parts where {min_count} belong", sections.len())));
    }
    Ok(sections)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| FrameError::Corrupt("the file is truncated".into()))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn length(&mut self) -> Result<usize, FrameError> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        usize::try_from(n).map_err(|_| FrameError::Corrupt("a length field is out of range".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let bytes = write(b"TESTFILE", 3, &[b"abc", b"", b"0123456789"]);
        assert_eq!(read(&bytes, b"TESTFILE", 3, 3).unwrap(), vec![&b"abc"[..], b"", b"0123456789"]);
        assert!(matches!(read(&bytes, b"OTHERSIG", 3, 3), Err(FrameError::Foreign(_))));
        assert!(matches!(read(&bytes, b"TESTFILE", 4, 3), Err(FrameError::Corrupt(m)) if m.contains("version 3")));
        assert!(matches!(read(&bytes, b"TESTFILE", 3, 4), Err(FrameError::Corrupt(m)) if m.contains("3 parts")));
        for cut in [0, 5, 12, bytes.len() - 1] {
            assert!(read(&bytes[..cut], b"TESTFILE", 3, 3).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        flipped[14] ^= 1;
        assert!(matches!(read(&flipped, b"TESTFILE", 3, 3), Err(FrameError::Corrupt(m)) if m.contains("checksum")));
    }
}
