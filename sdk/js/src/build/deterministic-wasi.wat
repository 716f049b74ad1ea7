;; Merged into the JavaScript engine before Wizer runs it, in place of two WASI functions, so that
;; the snapshot Wizer takes of the engine's memory is the same on every build: with the real ones,
;; the engine's heap records the build machine's clock readings and random seeds, and two builds of
;; the same source differ in about a thousand bytes. The plugin has no clock and no randomness at
;; run time anyway (both are disabled features), so nothing else changes.
(module
  (import "main" "memory" (memory 0))
  (global $state (mut i64) (i64.const 0x2545F4914F6CDD1D))
  ;; Every clock reads 0: 1970-01-01T00:00:00Z, as the host's frozen clock does.
  (func (export "clock_time_get") (param $id i32) (param $precision i64) (param $out i32) (result i32)
    (i64.store (local.get $out) (i64.const 0))
    (i32.const 0))
  ;; "Random" bytes from a fixed seed (xorshift64).
  (func (export "random_get") (param $buf i32) (param $len i32) (result i32)
    (local $x i64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $x (global.get $state))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
        (global.set $state (local.get $x))
        (i32.store8 (local.get $buf) (i32.wrap_i64 (local.get $x)))
        (local.set $buf (i32.add (local.get $buf) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (i32.const 0)))
