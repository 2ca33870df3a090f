// SPDX-License-Identifier: GPL-3.0-or-later
// analysis-rust.rs: Rust workload (compiled by the test with rustc, with the
// legacy and the v0 symbol mangling). Usage: analysis-rust SECONDS

use std::hint::black_box;
use std::time::{Duration, Instant};

mod shapes {
    pub struct Squares {
        pub n: u64,
    }

    impl Squares {
        #[inline(never)]
        pub fn rust_sum_squares(&self) -> u64 {
            let mut s: u64 = 0;
            for i in 0..self.n {
                s = s.wrapping_add(std::hint::black_box(i * i));
            }
            s
        }
    }

    #[inline(never)]
    pub fn rust_generic_fold<T: Copy + Into<u64>>(v: &[T]) -> u64 {
        let mut s: u64 = 0;
        for _ in 0..50 {
            for x in v {
                s = s.wrapping_add(std::hint::black_box((*x).into()));
            }
        }
        s
    }
}

fn main() {
    let secs: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let end = Instant::now() + Duration::from_secs_f64(secs);
    let data: Vec<u32> = (0..2000).collect();
    let mut total = 0u64;
    while Instant::now() < end {
        total = total.wrapping_add(shapes::Squares { n: 200000 }.rust_sum_squares());
        total = total.wrapping_add(shapes::rust_generic_fold(black_box(&data)));
    }
    println!("{}", total);
}
