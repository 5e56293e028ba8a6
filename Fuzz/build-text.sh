#!/bin/bash
# Builds the text-decoder fuzzer: MeshtopModel and MeshtopWire as separate modules (as in the package), each
# instrumented for libFuzzer + AddressSanitizer, linked with Fuzz/FuzzText.swift. Run from the repository root.
set -euo pipefail
out=.build-fuzz
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -O -parse-as-library -swift-version 6 -I "$out")
swiftc "${flags[@]}" -module-name MeshtopModel -emit-module -emit-module-path "$out/MeshtopModel.swiftmodule" \
    -c Sources/MeshtopModel/*.swift -wmo -o "$out/MeshtopModel.o"
swiftc "${flags[@]}" -module-name MeshtopWire -emit-module -emit-module-path "$out/MeshtopWire.swiftmodule" \
    -c Sources/MeshtopWire/*.swift -wmo -o "$out/MeshtopWire.o"
swiftc "${flags[@]}" -module-name FuzzText Fuzz/FuzzText.swift "$out/MeshtopModel.o" "$out/MeshtopWire.o" \
    -o "$out/fuzz-text"
