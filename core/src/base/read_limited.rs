//! Reading what a file says it holds without trusting what it says: an archive entry's
//! header can claim a small size and inflate to gigabytes.

use std::io::Read;

/// Reads all of `reader`, or stops once it has given more than `limit` bytes: `None`
/// then, so the caller can say the entry is larger than it may be.
pub fn read_limited(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::read_limited;

    #[test]
    fn stops_one_byte_past_the_limit() {
        assert_eq!(read_limited(&[1u8, 2, 3][..], 3).unwrap(), Some(vec![1, 2, 3]));
        assert_eq!(read_limited(&[1u8, 2, 3, 4][..], 3).unwrap(), None);
        assert_eq!(read_limited(&[][..], 0).unwrap(), Some(vec![]));
    }
}
