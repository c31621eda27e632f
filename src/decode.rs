//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM (as Windows Notepad's
//! "Unicode" saves) and Shift_JIS/CP932, detected. EUC-JP is not guessed: without a
//! declaration it cannot be told from Shift_JIS reliably (an HTML page's declared charset
//! is honoured by `extract::html`).

use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    ShiftJis,
    Utf16Le,
    Utf16Be,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error(
        "not valid UTF-8 (line {line}, byte {byte}) nor Shift_JIS; kiyaku reads UTF-8, UTF-16 with a byte-order mark and Shift_JIS/CP932: save the file as UTF-8"
    )]
    Undecodable { line: usize, byte: usize },
    #[error(
        "starts with a UTF-16 byte-order mark but is not valid UTF-16 text (a binary file?); save it as UTF-8"
    )]
    Utf16,
    #[error("binary file (contains NUL bytes), not a text document")]
    Binary,
}

/// Decodes a document. UTF-8 is tried first; a file that is not UTF-8 but is
/// valid Windows-31J (the Shift_JIS that Japanese offices save) is accepted.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((s.to_string(), Encoding::Utf8Bom)),
            Err(e) => Err(undecodable(rest, e.valid_up_to())),
        };
    }
    for (bom, encoding, kind) in [
        (b"\xFF\xFE", encoding_rs::UTF_16LE, Encoding::Utf16Le),
        (b"\xFE\xFF", encoding_rs::UTF_16BE, Encoding::Utf16Be),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = encoding.decode_without_bom_handling(rest);
            return if had_errors || text.contains('\0') {
                Err(DecodeError::Utf16)
            } else {
                Ok((text.into_owned(), kind))
            };
        }
    }
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), Encoding::Utf8)),
        Err(e) => {
            let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
            if had_errors {
                Err(undecodable(bytes, e.valid_up_to()))
            } else {
                Ok((text.into_owned(), Encoding::ShiftJis))
            }
        }
    }
}

fn undecodable(bytes: &[u8], at: usize) -> DecodeError {
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    DecodeError::Undecodable { line, byte: at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_encodings() {
        assert_eq!(decode("個人情報".as_bytes()).unwrap().1, Encoding::Utf8);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend("規程".as_bytes());
        assert_eq!(
            decode(&bom).unwrap(),
            ("規程".to_string(), Encoding::Utf8Bom)
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("個人情報取扱規程\n第1条");
        assert_eq!(
            decode(&sjis).unwrap(),
            ("個人情報取扱規程\n第1条".to_string(), Encoding::ShiftJis)
        );
    }

    #[test]
    fn decodes_utf16_with_a_byte_order_mark() {
        let text = "個人情報取扱規程\r\n第1条　目的";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), (text.to_string(), Encoding::Utf16Le));
        assert_eq!(decode(&be).unwrap(), (text.to_string(), Encoding::Utf16Be));
        // an odd byte left over, or NUL characters, is not text
        assert_eq!(decode(b"\xff\xfe\x00\x01garbage"), Err(DecodeError::Utf16));
        assert_eq!(decode(b"\xff\xfe\x00\x00"), Err(DecodeError::Utf16));
    }

    #[test]
    fn reports_line_of_bad_bytes() {
        let bytes = b"ok\nok\n\xff\xfe\xfd";
        assert_eq!(
            decode(bytes),
            Err(DecodeError::Undecodable { line: 3, byte: 6 })
        );
        assert_eq!(decode(b"a\0b"), Err(DecodeError::Binary));
    }
}
