//! SPDY/3.1 framing, as much of it as `kubectl port-forward` needs: frames in and out, and the
//! header blocks, zlib-compressed per connection and direction with the dictionary the
//! protocol defines (`dictionary.bin`, 1,423 bytes).

pub mod portforward;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The preset zlib dictionary of SPDY/3 header blocks.
pub const DICTIONARY: &[u8] = include_bytes!("dictionary.bin");

/// Frame types used here.
pub mod kind {
    /// Opens a stream.
    pub const SYN_STREAM: u16 = 1;
    /// Accepts a stream.
    pub const SYN_REPLY: u16 = 2;
    /// Aborts a stream.
    pub const RST_STREAM: u16 = 3;
    /// Connection settings.
    pub const SETTINGS: u16 = 4;
    /// Liveness.
    pub const PING: u16 = 6;
    /// The peer is leaving.
    pub const GOAWAY: u16 = 7;
}

/// The FIN flag (last frame of a stream's direction).
pub const FLAG_FIN: u8 = 0x01;

/// One frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A control frame: type, flags, payload.
    Control {
        /// Frame type.
        kind: u16,
        /// Flags.
        flags: u8,
        /// The payload after the 8-byte head.
        payload: Vec<u8>,
    },
    /// A data frame.
    Data {
        /// Its stream.
        stream: u32,
        /// Flags.
        flags: u8,
        /// The bytes.
        data: Vec<u8>,
    },
}

/// Reads one frame; `None` at a clean end of the connection.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> std::io::Result<Option<Frame>> {
    let mut head = [0u8; 8];
    match r.read_exact(&mut head).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let flags = head[4];
    let len = u32::from_be_bytes([0, head[5], head[6], head[7]]) as usize;
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload).await?;
    Ok(Some(if head[0] & 0x80 != 0 {
        Frame::Control {
            kind: u16::from_be_bytes([head[2], head[3]]),
            flags,
            payload,
        }
    } else {
        Frame::Data {
            stream: u32::from_be_bytes([head[0], head[1], head[2], head[3]]) & 0x7fff_ffff,
            flags,
            data: payload,
        }
    }))
}

fn head(first: [u8; 4], flags: u8, len: usize) -> Vec<u8> {
    let l = (len as u32).to_be_bytes();
    let mut v = Vec::with_capacity(8 + len);
    v.extend_from_slice(&first);
    v.extend_from_slice(&[flags, l[1], l[2], l[3]]);
    v
}

/// A control frame's bytes.
pub fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let k = kind.to_be_bytes();
    let mut v = head([0x80, 0x03, k[0], k[1]], flags, payload.len());
    v.extend_from_slice(payload);
    v
}

/// A data frame's bytes.
pub fn data(stream: u32, flags: u8, bytes: &[u8]) -> Vec<u8> {
    let mut v = head((stream & 0x7fff_ffff).to_be_bytes(), flags, bytes.len());
    v.extend_from_slice(bytes);
    v
}

/// The stream id at the start of a control payload.
pub fn stream_of(payload: &[u8]) -> u32 {
    payload
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) & 0x7fff_ffff)
        .unwrap_or(0)
}

/// Header blocks of one direction of one connection (one zlib stream each way).
pub struct HeaderCodec {
    inflate: Decompress,
    deflate: Compress,
    deflate_started: bool,
}

impl Default for HeaderCodec {
    fn default() -> Self {
        Self {
            inflate: Decompress::new(true),
            deflate: Compress::new(Compression::default(), true),
            deflate_started: false,
        }
    }
}

impl HeaderCodec {
    /// The name/value pairs of a received header block.
    pub fn decode(&mut self, block: &[u8]) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        let mut input = block;
        let mut buf = vec![0u8; 4096];
        loop {
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            match self
                .inflate
                .decompress(input, &mut buf, FlushDecompress::Sync)
            {
                Ok(_) => {}
                Err(e) if e.needs_dictionary().is_some() => {
                    self.inflate
                        .set_dictionary(DICTIONARY)
                        .map_err(|e| format!("header dictionary: {e}"))?;
                    input = &input[(self.inflate.total_in() - before_in) as usize..];
                    continue;
                }
                Err(e) => return Err(format!("header block: {e}")),
            }
            let used = (self.inflate.total_in() - before_in) as usize;
            let made = (self.inflate.total_out() - before_out) as usize;
            out.extend_from_slice(&buf[..made]);
            input = &input[used..];
            if input.is_empty() && made < buf.len() {
                break;
            }
            if used == 0 && made == 0 {
                break;
            }
        }
        parse_pairs(&out)
    }

    /// A header block for `pairs`, compressed in this connection's stream.
    pub fn encode(&mut self, pairs: &[(&str, &str)]) -> Result<Vec<u8>, String> {
        let mut raw = (pairs.len() as u32).to_be_bytes().to_vec();
        for (k, v) in pairs {
            raw.extend_from_slice(&(k.len() as u32).to_be_bytes());
            raw.extend_from_slice(k.as_bytes());
            raw.extend_from_slice(&(v.len() as u32).to_be_bytes());
            raw.extend_from_slice(v.as_bytes());
        }
        if !self.deflate_started {
            self.deflate
                .set_dictionary(DICTIONARY)
                .map_err(|e| format!("header dictionary: {e}"))?;
            self.deflate_started = true;
        }
        let mut out = Vec::with_capacity(raw.len() + 64);
        let mut input: &[u8] = &raw;
        loop {
            out.reserve(256);
            let before = self.deflate.total_in();
            let status = self
                .deflate
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .map_err(|e| format!("header block: {e}"))?;
            input = &input[(self.deflate.total_in() - before) as usize..];
            // A sync flush is complete once the output buffer was not filled up.
            if input.is_empty() && (status != Status::BufError) && out.len() < out.capacity() {
                break;
            }
        }
        Ok(out)
    }
}

fn parse_pairs(b: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut pos = 0;
    let mut take = |n: usize| -> Result<&[u8], String> {
        let s = b.get(pos..pos + n).ok_or("header block is cut short")?;
        pos += n;
        Ok(s)
    };
    let word = |s: &[u8]| u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize;
    let count = word(take(4)?);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let n = word(take(4)?);
        let name = String::from_utf8_lossy(take(n)?).into_owned();
        let n = word(take(4)?);
        let value = String::from_utf8_lossy(take(n)?).into_owned();
        out.push((name, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_blocks_round_trip_through_one_stream_each_way() {
        assert_eq!(DICTIONARY.len(), 1423);
        let (mut sender, mut receiver) = (HeaderCodec::default(), HeaderCodec::default());
        for port in ["8000", "3000"] {
            let block = sender
                .encode(&[("streamtype", "data"), ("port", port), ("requestid", "0")])
                .unwrap();
            let pairs = receiver.decode(&block).unwrap();
            assert_eq!(pairs[1], ("port".to_string(), port.to_string()));
        }
    }

    #[tokio::test]
    async fn frames_read_back() {
        let mut bytes = control(kind::PING, 0, &7u32.to_be_bytes());
        bytes.extend(data(3, FLAG_FIN, b"hi"));
        let mut r = &bytes[..];
        assert_eq!(
            read_frame(&mut r).await.unwrap(),
            Some(Frame::Control {
                kind: kind::PING,
                flags: 0,
                payload: 7u32.to_be_bytes().to_vec()
            })
        );
        assert_eq!(
            read_frame(&mut r).await.unwrap(),
            Some(Frame::Data {
                stream: 3,
                flags: FLAG_FIN,
                data: b"hi".to_vec()
            })
        );
        assert_eq!(read_frame(&mut r).await.unwrap(), None);
    }
}
