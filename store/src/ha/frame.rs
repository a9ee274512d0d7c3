//! HA stream codecs (pure, no I/O), as Java 4.9.7 `HAConnection` / `HAService.HAClient`
//! read and write them.
//!
//! ```text
//! master -> slave frame:  [long masterPhyOffset][int bodySize][bodySize bytes]   (big-endian)
//! slave -> master report: [long slaveMaxOffset]                                  (big-endian)
//! ```

/// Frame header length: offset (8) + body size (4).
pub const HEADER_LEN: usize = 12;

/// The Java slave's read buffer (`HAClient.READ_MAX_BUFFER_SIZE`, 4 MiB): a frame must fit
/// in it, so no conforming master sends a larger body.
pub const MAX_BODY: usize = 4 * 1024 * 1024 - HEADER_LEN;

/// Encode a frame header.
pub fn encode_header(master_phy_offset: i64, body_size: i32) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(&master_phy_offset.to_be_bytes());
    h[8..].copy_from_slice(&body_size.to_be_bytes());
    h
}

/// Encode a slave offset report.
pub fn encode_report(offset: i64) -> [u8; 8] {
    offset.to_be_bytes()
}

/// One decoded master frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Commitlog offset of the first body byte.
    pub offset: i64,
    /// Body length.
    pub body_size: usize,
}

/// Errors of the frame decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Negative or oversized body length.
    #[error("bad HA frame body size {0}")]
    BadSize(i32),
}

/// Slave side: accumulates the master's byte stream and yields whole frames.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    pos: usize,
}

impl FrameDecoder {
    /// Append received bytes.
    pub fn extend(&mut self, data: &[u8]) {
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The header of the next frame, if 12 bytes are buffered (the body may still be
    /// incomplete: Java checks the offset as soon as the header is there).
    pub fn peek_header(&self) -> Result<Option<FrameHeader>, FrameError> {
        let rest = &self.buf[self.pos..];
        if rest.len() < HEADER_LEN {
            return Ok(None);
        }
        let mut off = [0u8; 8];
        off.copy_from_slice(&rest[..8]);
        let mut size = [0u8; 4];
        size.copy_from_slice(&rest[8..HEADER_LEN]);
        let size = i32::from_be_bytes(size);
        let body_size = usize::try_from(size).map_err(|_| FrameError::BadSize(size))?;
        if body_size > MAX_BODY {
            return Err(FrameError::BadSize(size));
        }
        Ok(Some(FrameHeader {
            offset: i64::from_be_bytes(off),
            body_size,
        }))
    }

    /// The body of the frame `h` (from [`FrameDecoder::peek_header`]) if it is complete.
    pub fn body(&self, h: &FrameHeader) -> Option<&[u8]> {
        let start = self.pos + HEADER_LEN;
        self.buf.get(start..start + h.body_size)
    }

    /// Drop the frame `h`.
    pub fn consume(&mut self, h: &FrameHeader) {
        self.pos = (self.pos + HEADER_LEN + h.body_size).min(self.buf.len());
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    /// Forget everything (reconnect).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.pos = 0;
    }

    /// Bytes buffered and not consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }
}

/// Master side: the slave's 8-byte reports. Like Java's `ReadSocketService`, only the last
/// complete value of what has arrived counts.
#[derive(Debug, Default)]
pub struct ReportDecoder {
    partial: Vec<u8>,
}

impl ReportDecoder {
    /// Feed received bytes; returns the last complete report among them, if any.
    pub fn feed(&mut self, data: &[u8]) -> Option<i64> {
        self.partial.extend_from_slice(data);
        let whole = self.partial.len() / 8 * 8;
        if whole == 0 {
            return None;
        }
        let mut v = [0u8; 8];
        v.copy_from_slice(&self.partial[whole - 8..whole]);
        self.partial.drain(..whole);
        Some(i64::from_be_bytes(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_is_big_endian() {
        let h = encode_header(0x0102_0304_0506_0708, 0x0A0B_0C0D);
        assert_eq!(h, [1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D]);
        assert_eq!(encode_report(1073741824), [0, 0, 0, 0, 0x40, 0, 0, 0]);
    }

    #[test]
    fn decoder_handles_split_frames() {
        let mut stream = Vec::new();
        stream.extend_from_slice(&encode_header(100, 3));
        stream.extend_from_slice(b"abc");
        stream.extend_from_slice(&encode_header(103, 0));
        stream.extend_from_slice(&encode_header(103, 2));
        stream.extend_from_slice(b"de");
        let mut d = FrameDecoder::default();
        let mut got = Vec::new();
        for chunk in stream.chunks(5) {
            d.extend(chunk);
            while let Ok(Some(h)) = d.peek_header() {
                let Some(b) = d.body(&h) else { break };
                got.push((h.offset, b.to_vec()));
                d.consume(&h);
            }
        }
        assert_eq!(
            got,
            vec![(100, b"abc".to_vec()), (103, vec![]), (103, b"de".to_vec())]
        );
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn decoder_rejects_bad_sizes() {
        let mut d = FrameDecoder::default();
        d.extend(&encode_header(0, -1));
        assert_eq!(d.peek_header(), Err(FrameError::BadSize(-1)));
        let mut d = FrameDecoder::default();
        d.extend(&encode_header(0, 4 * 1024 * 1024));
        assert!(d.peek_header().is_err());
    }

    #[test]
    fn reports_take_the_last_whole_value() {
        let mut r = ReportDecoder::default();
        assert_eq!(r.feed(&[0, 0, 0]), None);
        let mut more = vec![0, 0, 0, 0, 7];
        more.extend_from_slice(&encode_report(9));
        more.extend_from_slice(&[0, 0]);
        assert_eq!(r.feed(&more), Some(9));
        assert_eq!(r.feed(&[0, 0, 0, 0, 0, 11]), Some(11));
    }
}
