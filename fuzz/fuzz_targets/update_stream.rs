#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| altofed_fuzz::update_stream(data));
