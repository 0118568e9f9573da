//! Masking of personal data (identity document and phone numbers, addresses) for callers who do
//! not handle a case, and for every export.

/// Keeps the first six and last four characters of an identity number, e.g.
/// `350102********1234`; shorter numbers keep only their last two.
pub fn mask_id_number(id: &str) -> String {
    mask_keeping(id, 6, 4)
}

/// Keeps the first three and last four digits of a phone number, e.g. `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    mask_keeping(phone, 3, 4)
}

/// Characters of an address left readable: about a province, city and district (e.g.
/// `福建省福州市鼓楼区`'s first six, `福建省福州市`), enough to tell where a party lives without the
/// street and number.
const ADDRESS_KEPT: usize = 6;

/// Keeps the first six characters of an address and masks the rest with one `*` each, e.g.
/// `福建省福州市****`; an address of six characters or fewer keeps only its first two.
pub fn mask_address(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    let kept = if chars.len() > ADDRESS_KEPT {
        ADDRESS_KEPT
    } else {
        chars.len().min(2)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < kept { *c } else { '*' })
        .collect()
}

fn mask_keeping(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    let (head, tail) = if chars.len() > head + tail {
        (head, tail)
    } else {
        (0, chars.len().min(2))
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_keep_region_and_last_four() {
        assert_eq!(mask_id_number("350102199001011234"), "350102********1234");
    }

    #[test]
    fn phone_numbers_keep_prefix_and_last_four() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }

    #[test]
    fn addresses_keep_province_and_city_only() {
        assert_eq!(
            mask_address("福建省福州市鼓楼区五四路100号"),
            "福建省福州市**********"
        );
        assert_eq!(mask_address("鼓楼区五四路"), "鼓楼****");
        assert_eq!(mask_address("A"), "A");
        assert_eq!(mask_address(""), "");
    }

    #[test]
    fn short_values_reveal_at_most_two_characters() {
        assert_eq!(mask_id_number("A12345"), "****45");
        assert_eq!(mask_phone("12"), "12");
    }
}
