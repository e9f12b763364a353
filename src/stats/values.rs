//! An exact distribution of integer values, for means, medians, nearest-rank percentiles and
//! maxima that are never sampled or approximated.
//!
//! Values are kept as a count per distinct value: response times and durations are whole
//! seconds with many repeats, so memory grows with the number of distinct values, not with
//! the corpus. Adding a value appends it to a short list; when the list is a quarter as long
//! as the distinct values (at least [`PENDING`] long), it is sorted and merged into them, in
//! one sequential pass. A report adds a dozen values a conversation, some to distributions of
//! hundreds of thousands of distinct milliseconds: a hash map or a tree there costs a cache
//! miss a value, the merge a few sequential copies.

use std::borrow::Cow;

/// The list of values added since the last merge holds at least this many before it is
/// merged.
const PENDING: usize = 32;

/// The values one figure has seen. Every statistic of an empty distribution is `None`.
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// Distinct values with their counts, smallest first: every value but `pending`.
    counts: Vec<(i64, u64)>,
    /// Values added since the last merge, as they came.
    pending: Vec<i64>,
    len: u64,
    sum: i128,
}

impl PartialEq for Values {
    fn eq(&self, other: &Values) -> bool {
        self.len == other.len && self.sum == other.sum && self.sorted() == other.sorted()
    }
}

impl Values {
    pub fn add(&mut self, value: i64) {
        self.pending.push(value);
        self.len += 1;
        self.sum += i128::from(value);
        if self.pending.len() >= PENDING.max(self.counts.len() / 4) {
            self.counts = merged(&self.counts, &mut self.pending);
            self.pending.clear();
        }
    }

    /// Each distinct value with its count, smallest first.
    fn sorted(&self) -> Cow<'_, [(i64, u64)]> {
        if self.pending.is_empty() {
            Cow::Borrowed(&self.counts)
        } else {
            Cow::Owned(merged(&self.counts, &mut self.pending.clone()))
        }
    }

    /// How many values entered.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn sum(&self) -> Option<i128> {
        (!self.is_empty()).then_some(self.sum)
    }

    /// The mean of the values divided by `unit` (1 for values already in the figure's unit,
    /// 1000 for milliseconds shown as seconds), in one correctly rounded division.
    pub fn mean(&self, unit: u32) -> Option<f64> {
        (!self.is_empty()).then(|| self.sum as f64 / (self.len as f64 * f64::from(unit)))
    }

    /// The median divided by `unit`: the middle value, or the mean of the two middle values
    /// of an even count.
    pub fn median(&self, unit: u32) -> Option<f64> {
        let unit = f64::from(unit);
        if self.len % 2 == 1 {
            self.nth(self.len / 2 + 1).map(|v| v as f64 / unit)
        } else {
            let low = self.nth(self.len / 2)?;
            let high = self.nth(self.len / 2 + 1)?;
            // Exact: the sum of two i64 fits i128, and halving is exact in binary.
            Some((i128::from(low) + i128::from(high)) as f64 / (2.0 * unit))
        }
    }

    /// The 90th percentile by nearest rank: the ⌈0.9·n⌉-th smallest value.
    pub fn p90(&self) -> Option<i64> {
        // ⌈9n/10⌉ in integers, so no floating-point rounding can move the rank.
        self.nth((9 * self.len).div_ceil(10))
    }

    /// Each distinct value with how many times it entered, smallest first.
    pub fn counts(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.sorted().into_owned().into_iter()
    }

    pub fn max(&self) -> Option<i64> {
        let sorted = self.counts.last().map(|&(value, _)| value);
        sorted.into_iter().chain(self.pending.iter().copied()).max()
    }

    /// The `rank`-th smallest value, counting from 1.
    fn nth(&self, rank: u64) -> Option<i64> {
        if rank == 0 || rank > self.len {
            return None;
        }
        let mut seen = 0;
        for &(value, count) in self.sorted().iter() {
            seen += count;
            if seen >= rank {
                return Some(value);
            }
        }
        None
    }
}

/// `counts` and the values of `pending` (sorted here) as distinct values with their counts,
/// smallest first.
fn merged(counts: &[(i64, u64)], pending: &mut [i64]) -> Vec<(i64, u64)> {
    pending.sort_unstable();
    let mut out: Vec<(i64, u64)> = Vec::with_capacity(counts.len() + pending.len());
    let mut add = |value: i64, count: u64| match out.last_mut() {
        Some((last, n)) if *last == value => *n += count,
        _ => out.push((value, count)),
    };
    let (mut i, mut j) = (0, 0);
    while i < counts.len() || j < pending.len() {
        if j == pending.len() || (i < counts.len() && counts[i].0 <= pending[j]) {
            add(counts[i].0, counts[i].1);
            i += 1;
        } else {
            add(pending[j], 1);
            j += 1;
        }
    }
    // Repeats took less room than was made: a distribution of five ratings keeps five.
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[i64]) -> Values {
        let mut v = Values::default();
        for &x in values {
            v.add(x);
        }
        v
    }

    #[test]
    fn no_values_give_no_figures() {
        let v = of(&[]);
        assert_eq!(v.len(), 0);
        assert_eq!(v.mean(1), None);
        assert_eq!(v.median(1), None);
        assert_eq!(v.p90(), None);
        assert_eq!(v.max(), None);
        assert_eq!(v.sum(), None);
    }

    #[test]
    fn one_value_is_every_figure() {
        let v = of(&[14]);
        assert_eq!(v.mean(1), Some(14.0));
        assert_eq!(v.median(1), Some(14.0));
        assert_eq!(v.p90(), Some(14));
        assert_eq!(v.max(), Some(14));
        assert_eq!(v.sum(), Some(14));
    }

    #[test]
    fn two_values_median_is_their_mean_and_p90_the_larger() {
        let v = of(&[7, 2]);
        assert_eq!(v.mean(1), Some(4.5));
        assert_eq!(v.median(1), Some(4.5));
        // ⌈0.9·2⌉ = 2: the second smallest.
        assert_eq!(v.p90(), Some(7));
        assert_eq!(v.max(), Some(7));
    }

    #[test]
    fn ten_values_p90_is_the_ninth() {
        let v = of(&[10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
        assert_eq!(v.mean(1), Some(5.5));
        assert_eq!(v.median(1), Some(5.5));
        assert_eq!(v.p90(), Some(9));
        assert_eq!(v.max(), Some(10));
    }

    #[test]
    fn eleven_values_p90_rounds_the_rank_up() {
        // ⌈9.9⌉ = 10.
        let v = of(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(v.p90(), Some(9));
        assert_eq!(v.median(1), Some(5.0));
    }

    #[test]
    fn repeated_and_negative_values_count_each_time() {
        let v = of(&[3, 3, 3, -1]);
        assert_eq!(v.len(), 4);
        assert_eq!(v.median(1), Some(3.0));
        assert_eq!(v.mean(1), Some(2.0));
        assert_eq!(v.p90(), Some(3));
    }

    #[test]
    fn milliseconds_shown_as_seconds() {
        let v = of(&[1_500, 2_001]);
        assert_eq!(v.mean(1000), Some(1.7505));
        assert_eq!(v.median(1000), Some(1.7505));
    }

    /// Merged or not, the distribution is the same: many values, many repeats, in any order.
    #[test]
    fn merging_keeps_every_value() {
        let values: Vec<i64> = (0..10_000).map(|i: i64| (i * 7919) % 1_237 - 300).collect();
        let v = of(&values);
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let mut want: Vec<(i64, u64)> = Vec::new();
        for x in sorted {
            match want.last_mut() {
                Some((last, n)) if *last == x => *n += 1,
                _ => want.push((x, 1)),
            }
        }
        assert_eq!(v.counts().collect::<Vec<_>>(), want);
        assert_eq!(v.max(), Some(936));
        assert_eq!(v.len(), 10_000);
        let mut w = Values::default();
        for &x in values.iter().rev() {
            w.add(x);
        }
        assert_eq!(v, w);
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let v = of(&[i64::MAX, i64::MAX]);
        assert_eq!(v.median(1), Some(i64::MAX as f64));
        assert_eq!(v.sum(), Some(2 * i128::from(i64::MAX)));
    }
}
