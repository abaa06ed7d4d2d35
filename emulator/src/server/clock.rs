//! Time as the emulated services see it: the clock, expiry arithmetic that cannot overflow,
//! and datetimes rendered the way DRF renders them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(super) fn now() -> SystemTime {
    SystemTime::now()
}

/// `t + d`, saturating far in the future instead of overflowing.
pub(super) fn later(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_add(d)
        .unwrap_or_else(|| UNIX_EPOCH + Duration::from_secs(253_402_300_799))
}

/// Truncate to whole microseconds (what DRF can represent).
pub(super) fn trunc_micros(t: SystemTime) -> SystemTime {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => UNIX_EPOCH + Duration::from_micros(d.as_micros() as u64),
        Err(_) => t,
    }
}

/// ISO-8601 as DRF renders a UTC datetime (`…T07:00:00.123456Z`; no fraction when it is 0).
pub(super) fn iso8601(t: SystemTime) -> String {
    let micros = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_micros()).unwrap_or(i128::MAX),
        Err(e) => -i128::try_from(e.duration().as_micros()).unwrap_or(i128::MAX),
    };
    let dt = match time::OffsetDateTime::from_unix_timestamp_nanos(micros.saturating_mul(1000)) {
        Ok(dt) => dt,
        // Beyond what `time` represents: clamp, as a database column would.
        Err(_) => return "9999-12-31T23:59:59.999999Z".to_owned(),
    };
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    match dt.microsecond() {
        0 => format!("{base}Z"),
        us => format!("{base}.{us:06}Z"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_drf() {
        let t = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        assert_eq!(iso8601(t), "2023-11-14T22:13:20.123456Z");
        assert_eq!(
            iso8601(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            "2023-11-14T22:13:20Z"
        );
        let far = later(SystemTime::now(), Duration::from_secs(u64::MAX / 4));
        assert!(iso8601(far).starts_with("9999-") || iso8601(far).len() >= 20);
    }
}
