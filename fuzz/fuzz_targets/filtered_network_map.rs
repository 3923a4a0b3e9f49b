#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| altofed_fuzz::filtered_network_map(data));
