//! Recognisers for the tokens that span several character classes: URLs
//! (`http://`, `https://`, `www.`, minus trailing sentence punctuation) and
//! e-mail addresses.

use super::normalize::is_py_space;
use super::token_classes::is_word_char;

fn starts_with_ignore_ascii_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Characters stripped from the end of a URL: sentence punctuation that
/// follows a link in running text.
fn is_url_trailer(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '\''
            | '"'
            | '،'
            | '؛'
            | '؟'
            | '»'
            | '…'
    )
}

/// Length in bytes of a URL starting at the beginning of `s`, if any.
pub(crate) fn url_len(s: &str) -> Option<usize> {
    let head = if starts_with_ignore_ascii_case(s, "https://") {
        8
    } else if starts_with_ignore_ascii_case(s, "http://") {
        7
    } else if starts_with_ignore_ascii_case(s, "www.") {
        4
    } else {
        return None;
    };
    let body_end = s.find(is_py_space).unwrap_or(s.len());
    let mut end = body_end;
    while end > head {
        let c = s[..end].chars().next_back()?;
        if is_url_trailer(c) {
            end -= c.len_utf8();
        } else {
            break;
        }
    }
    // "http://" alone is not a URL.
    (end > head).then_some(end)
}

/// Length of an e-mail address at the start of `s`, if any: a local part of
/// word characters and `.+-`, `@`, then a domain with at least one dot.
pub(crate) fn email_len(s: &str) -> Option<usize> {
    let mut local = 0;
    for c in s.chars() {
        if is_word_char(c) || matches!(c, '.' | '+' | '-') {
            local += c.len_utf8();
        } else {
            break;
        }
    }
    if local == 0 || !s[local..].starts_with('@') {
        return None;
    }
    let domain_start = local + 1;
    let mut end = domain_start;
    let mut last_dot = None;
    for c in s[domain_start..].chars() {
        if is_word_char(c) || c == '-' {
            end += c.len_utf8();
        } else if c == '.' {
            last_dot = Some(end);
            end += 1;
        } else {
            break;
        }
    }
    // strip trailing dots, require a dot with a label after it
    while s[..end].ends_with('.') {
        end -= 1;
    }
    match last_dot {
        Some(d) if d > domain_start && d + 1 < end => Some(end),
        _ => None,
    }
}

/// Whether the bytes after a word could continue it into an e-mail address:
/// an `@` right away, or one of `.+-` with an `@` before the next space.
#[inline]
pub(crate) fn maybe_email(after: &[u8]) -> bool {
    match after.first() {
        Some(b'@') => true,
        Some(b'.' | b'+' | b'-') => after
            .iter()
            .take(64)
            .take_while(|b| !b.is_ascii_whitespace())
            .any(|&b| b == b'@'),
        _ => false,
    }
}
