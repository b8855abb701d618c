//! The two date forms a SigV4 request may carry its time in, and the one
//! AWS prints times in: ISO 8601 basic format (`20150830T123600Z`, as in
//! `X-Amz-Date`) and RFC 9110's IMF-fixdate (`Sun, 30 Aug 2015 12:36:00
//! GMT`, as in `Date`). Proleptic Gregorian, UTC, no leap seconds.

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds since the epoch of a valid date and time, `None` otherwise.
fn unix_time(year: i64, month: i64, day: i64, hms: (i64, i64, i64)) -> Option<i64> {
    let (hour, minute, second) = hms;
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    valid.then(|| days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// The number in `digits` if it is all ASCII digits (at most 4 of them).
fn number(digits: &[u8]) -> Option<i64> {
    if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0, |total, &digit| total * 10 + i64::from(digit - b'0')),
    )
}

/// `YYYYMMDDTHHMMSSZ`, ISO 8601's basic format, as X-Amz-Date carries it.
pub(super) fn parse_basic_time(value: &str) -> Option<i64> {
    let bytes = value.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let field = |from: usize, to: usize| number(&bytes[from..to]);
    let hms = (field(9, 11)?, field(11, 13)?, field(13, 15)?);
    unix_time(field(0, 4)?, field(4, 6)?, field(6, 8)?, hms)
}

/// RFC 9110's IMF-fixdate, `Sun, 30 Aug 2015 12:36:00 GMT`, the `Date`
/// header's form (the weekday is not checked).
pub(super) fn parse_http_date(value: &str) -> Option<i64> {
    let bytes = value.as_bytes();
    if bytes.len() != 29 || &bytes[3..5] != b", " || &bytes[25..] != b" GMT" {
        return None;
    }
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let month = MONTHS.iter().position(|name| *name == &bytes[8..11])? as i64 + 1;
    let separators = [(7, b' '), (11, b' '), (16, b' '), (19, b':'), (22, b':')];
    if separators.iter().any(|&(at, byte)| bytes[at] != byte) {
        return None;
    }
    let field = |from: usize, to: usize| number(&bytes[from..to]);
    let hms = (field(17, 19)?, field(20, 22)?, field(23, 25)?);
    unix_time(field(12, 16)?, month, field(5, 7)?, hms)
}

/// Seconds since the epoch as `YYYYMMDDTHHMMSSZ` (H. Hinnant's
/// `civil_from_days`); any `i64` formats without overflow.
pub(super) fn basic_time(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}
