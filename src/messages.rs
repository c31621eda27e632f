//! The errors of reading and extracting files, in both languages: the command line prints
//! them in the run's language (`ExtractError` and `DecodeError` display in English, for
//! logs and tests; these are the texts users read).

use crate::decode::DecodeError;
use crate::diagnostic::Text;
use crate::extract::ExtractError;

impl Text {
    /// The message prefixed with the place it is about (`path: message`).
    pub fn at(&self, place: &str) -> Text {
        Text::new(
            format!("{place}: {}", self.ja),
            format!("{place}: {}", self.en),
        )
    }
}

impl DecodeError {
    pub fn text(&self) -> Text {
        let ja = match self {
            DecodeError::Undecodable { line, byte } => format!(
                "UTF-8（{line}行目、{byte}バイト目）としても Shift_JIS としても読めません。kiyaku が読むのは UTF-8、バイト順マーク付きの UTF-16、Shift_JIS/CP932 です: UTF-8 で保存し直してください"
            ),
            DecodeError::Utf16 => "UTF-16 のバイト順マークで始まりますが、UTF-16 のテキストではありません（バイナリファイル？）: UTF-8 で保存し直してください".to_string(),
            DecodeError::Binary => "バイナリファイル（NUL バイトを含む）で、テキストの文書ではありません".to_string(),
        };
        Text::new(ja, self.to_string())
    }
}

impl ExtractError {
    pub fn text(&self) -> Text {
        let ja = match self {
            ExtractError::Decode(e) => return e.text(),
            ExtractError::Encrypted => "OLE 複合ファイルで、.docx ではありません: パスワードで保護（暗号化）された文書か、古い Word の .doc です。パスワードを外すか、.docx として保存し直してください".to_string(),
            ExtractError::Corrupt(reason) => {
                format!("読み取れる .docx ではありません（壊れているか、途中で切れています）: {reason}")
            }
            ExtractError::TooLarge { part, limit } => format!(
                "{part} が展開すると {} MiB を超えるため、zip 爆弾の疑いがあるものとして読みません",
                limit >> 20
            ),
            ExtractError::TextTooLarge { limit } => format!(
                "本文が {} MiB（約500万字）を超えるため、zip 爆弾の疑いがあるものとして読みません: 検査には数 GB のメモリが要ります",
                limit >> 20
            ),
            ExtractError::CharsetMismatch {
                declared,
                actual,
                line,
            } => format!(
                "ページは文字コード「{declared}」を宣言していますが、中身は {actual} です（{line}行目から）: ブラウザでは文字化けします。宣言を <meta charset=\"{actual}\"> に直してください"
            ),
            ExtractError::NotDeclaredCharset { declared, line } => format!(
                "ページは文字コード「{declared}」を宣言していますが、{declared} として正しくなく（{line}行目）、UTF-8、Shift_JIS、EUC-JP でもありません: 宣言した文字コードで保存してください"
            ),
            ExtractError::NestedTooDeep { open } => format!(
                "要素の入れ子が深すぎます: 1つのタグで HTML パーサーが {open} を超える開いた要素（リストの入れ子約 {} 段）を探すことになるため読みません。解析時間が深さの2乗で増えます",
                open / 2
            ),
            ExtractError::PdfNoText => "画像のみのPDFです（文字情報がないため検査できません。OCR済みのPDFかWord版を指定してください）".to_string(),
            ExtractError::PdfEncrypted => "暗号化されたPDFです（開くのにパスワードが必要なため検査できません。パスワードを解除したPDFを指定してください）".to_string(),
            ExtractError::PdfDamaged(reason) => format!("破損したPDFです（読み取れません: {reason}）"),
            ExtractError::PdfCutShort => "破損したPDFです（終端の %%EOF がなく、ダウンロードやコピーの途中で切れています）".to_string(),
            ExtractError::PdfTooLarge(what) => format!("大きすぎるPDFです（{what}）。PDF爆弾の疑いがあるため読み取りません"),
            ExtractError::PdfTooSlow { seconds, page, pages } => {
                let reached = if *page == 0 {
                    "ファイルを開く途中".to_string()
                } else {
                    format!("{pages}ページ中{page}ページ目")
                };
                format!(
                    "PDFの読み取りが{seconds}秒を超えました（{reached}）。PDF爆弾の疑いがあるため読み取りません"
                )
            }
            ExtractError::PdfVertical => "縦書きのPDFは検査できません（行の並びや括弧が正しく読み取れないため）。横書きのPDFかWord版を指定してください".to_string(),
            ExtractError::LegacyDoc => "Word 97–2003 形式（.doc）の文書は検査できません。Word で開き「Word 文書（.docx）」として保存してから指定してください".to_string(),
        };
        Text::new(ja, self.to_string())
    }
}
