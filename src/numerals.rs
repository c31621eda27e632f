//! The numerals drafters number provisions and lists with — kanji (二十三), roman (XIV, Ⅳ),
//! iroha (イロハ…), gojūon (アイウ…), circled (①…㊿) — read and written by one set of tables,
//! so that a label the structure parser reads and a label a .docx list renders agree.

/// The iroha order of the 47 kana, as Word's `iroha` list format counts (イ, ロ, ハ …).
pub const IROHA: [char; 47] = [
    'イ', 'ロ', 'ハ', 'ニ', 'ホ', 'ヘ', 'ト', 'チ', 'リ', 'ヌ', 'ル', 'ヲ', 'ワ', 'カ', 'ヨ', 'タ',
    'レ', 'ソ', 'ツ', 'ネ', 'ナ', 'ラ', 'ム', 'ウ', 'ヰ', 'ノ', 'オ', 'ク', 'ヤ', 'マ', 'ケ', 'フ',
    'コ', 'エ', 'テ', 'ア', 'サ', 'キ', 'ユ', 'メ', 'ミ', 'シ', 'ヱ', 'ヒ', 'モ', 'セ', 'ス',
];

/// The gojūon order (ア, イ, ウ …), as Word's `aiueo` list format counts.
pub const GOJUON: [char; 46] = [
    'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ',
    'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ',
    'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ヲ', 'ン',
];

/// The ten heavenly stems (甲, 乙, 丙 …), Word's `ideographTraditional`.
pub const STEMS: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];

/// Kanji digits 〇 to 九.
pub const KANJI_DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// The position (from 1) of `kana` in `order`, e.g. `kana_value('ロ', &IROHA)` = 2.
pub fn kana_value(kana: char, order: &[char]) -> Option<u32> {
    order.iter().position(|&k| k == kana).map(|i| i as u32 + 1)
}

/// The `n`th kana of `order` (from 1), counting round again after the last, as Word does.
pub fn kana(n: u32, order: &[char]) -> Option<char> {
    (n > 0).then(|| order[(n as usize - 1) % order.len()])
}

/// ① … ⑳, ㉑ … ㉟, ㊱ … ㊿ → 1 … 50.
pub fn circled_value(c: char) -> Option<u32> {
    let c = c as u32;
    match c {
        0x2460..=0x2473 => Some(c - 0x2460 + 1),
        0x3251..=0x325F => Some(c - 0x3251 + 21),
        0x32B1..=0x32BF => Some(c - 0x32B1 + 36),
        _ => None,
    }
}

/// 1 … 50 → ① … ㊿.
pub fn circled(n: u32) -> Option<char> {
    match n {
        1..=20 => char::from_u32(0x2460 + n - 1),
        21..=35 => char::from_u32(0x3251 + n - 21),
        36..=50 => char::from_u32(0x32B1 + n - 36),
        _ => None,
    }
}

/// A roman numeral's value: XIV, xiv, or one of the single characters Ⅰ … Ⅻ (ⅰ … ⅻ).
/// None for anything that is not a well-formed numeral from 1 to 3999.
pub fn roman_value(numeral: &str) -> Option<u32> {
    let mut chars = numeral.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        for first in ['Ⅰ', 'ⅰ'] {
            let offset = (c as u32).wrapping_sub(first as u32);
            if offset < 12 {
                return Some(offset + 1);
            }
        }
    }
    let digit = |c: char| match c.to_ascii_uppercase() {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let digits: Vec<u32> = numeral.chars().map(digit).collect::<Option<_>>()?;
    // a digit before a larger one is subtracted (IV, XC)
    let total: i64 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| match digits.get(i + 1) {
            Some(&next) if next > d => -i64::from(d),
            _ => i64::from(d),
        })
        .sum();
    let total = u32::try_from(total).ok()?;
    // only the canonical spelling of its value counts (IIII, VX, IC are not numerals)
    (roman(total).as_deref() == Some(numeral.to_ascii_uppercase().as_str())).then_some(total)
}

/// 1 … 3999 → I … MMMCMXCIX.
pub fn roman(mut n: u32) -> Option<String> {
    if n == 0 || n >= 4000 {
        return None;
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (value, letters) in TABLE {
        while n >= value {
            s.push_str(letters);
            n -= value;
        }
    }
    Some(s)
}

/// Parses a kanji numeral such as 二十三, 百五, 三〇, 千二百. None if it is not one.
pub fn kanji_value(s: &str) -> Option<u64> {
    let digit = |c: char| KANJI_DIGITS.iter().position(|&d| d == c).map(|d| d as u64);
    if s.chars().all(|c| digit(c).is_some()) && s.chars().count() > 1 {
        return s
            .chars()
            .try_fold(0u64, |acc, c| acc.checked_mul(10)?.checked_add(digit(c)?));
    }
    let mut total = 0u64;
    let mut current = 0u64;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            current = d;
        } else {
            let unit = match c {
                '十' => 10,
                '百' => 100,
                '千' => 1000,
                _ => return None,
            };
            total = total.checked_add(current.max(1) * unit)?;
            current = 0;
        }
    }
    Some(total + current)
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 百五, up to 9999 (counting style).
pub fn kanji(n: u32) -> Option<String> {
    if n == 0 || n >= 10000 {
        return None;
    }
    let mut s = String::new();
    for (unit, mark) in [(1000, '千'), (100, '百'), (10, '十')] {
        let d = (n / unit) % 10;
        if d > 1 {
            s.push(KANJI_DIGITS[d as usize]);
        }
        if d > 0 {
            s.push(mark);
        }
    }
    let d = n % 10;
    if d > 0 {
        s.push(KANJI_DIGITS[d as usize]);
    }
    Some(s)
}

/// 2024 → 二〇二四: each digit as a kanji digit.
pub fn kanji_digits(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|c| KANJI_DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeral_reads_back_as_the_number_it_was_written_from() {
        for n in 1..4000 {
            assert_eq!(roman_value(&roman(n).unwrap()), Some(n), "roman {n}");
            assert_eq!(roman_value(&roman(n).unwrap().to_lowercase()), Some(n));
        }
        for n in 1..10000 {
            assert_eq!(kanji_value(&kanji(n).unwrap()), Some(n as u64), "kanji {n}");
        }
        for n in [10, 2024, 305] {
            assert_eq!(kanji_value(&kanji_digits(n)), Some(n as u64));
        }
        for order in [&IROHA[..], &GOJUON[..], &STEMS[..]] {
            for n in 1..=order.len() as u32 {
                assert_eq!(kana_value(kana(n, order).unwrap(), order), Some(n));
            }
        }
        for n in 1..=50 {
            assert_eq!(circled_value(circled(n).unwrap()), Some(n), "circled {n}");
        }
    }

    #[test]
    fn the_tables_have_each_kana_once() {
        for order in [&IROHA[..], &GOJUON[..], &STEMS[..], &KANJI_DIGITS[..]] {
            let mut seen = std::collections::HashSet::new();
            assert!(order.iter().all(|c| seen.insert(c)), "{order:?}");
        }
    }

    #[test]
    fn known_values_and_what_is_no_numeral() {
        assert_eq!(roman_value("Ⅳ"), Some(4));
        assert_eq!(roman_value("ⅻ"), Some(12));
        assert_eq!(roman_value("XIV"), Some(14));
        assert_eq!(roman_value("IIII"), None);
        assert_eq!(roman_value("IC"), None);
        assert_eq!(roman_value("ABC"), None);
        assert_eq!(roman_value(""), None);
        assert_eq!(kanji_value("二十三"), Some(23));
        assert_eq!(kanji_value("二〇"), Some(20));
        assert_eq!(kanji_value("千二百"), Some(1200));
        assert_eq!(kanji_value("第三"), None);
        assert_eq!(kanji(0), None);
        assert_eq!(kana_value('ウ', &IROHA), Some(24));
        assert_eq!(kana_value('ウ', &GOJUON), Some(3));
        assert_eq!(kana(48, &IROHA), Some('イ'));
        assert_eq!(circled_value('㊿'), Some(50));
        assert_eq!(circled_value('1'), None);
        assert_eq!(circled(51), None);
    }
}
