// Screen snapshots for SnapshotTests (fixed data, fixed now). On a deliberate change, review the text the
// failing test writes under /tmp/meshtop-snapshots and copy it here.
// swift-format-ignore-file

enum Snapshots {
    static let services = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
   SERVICE            ERR%   RPS▼    P50    P99 APDEX HEALTH   RATE     LATENCY
 ● frontend             0%   10.0    5ms   40ms  0.97 healthy  ▁▄█▃▆▁▅█ ▁▅█▄▇▃▇▂
 ◐ orders             1.0%    5.0    8ms   65ms  0.97 degraded █▃▆▁▅█▃▇ ▄█▃▇▂▆▁▅
 ✖ payments            20%    3.3   11ms   90ms  0.71 failing  ▆▁▅█▃▇▂▅ ▅▁▅█▄▇▃▇
 ● inventory            0%    2.5   14ms  115ms  0.97 healthy  ▄█▃▆▁▅█▃ █▃▇▃▆▂▆▁
 ● 注文                 0%    2.0   17ms  140ms  0.97 healthy  ▂▅█▄▇▂▅▁ ▂▅▁▅█▄▇▃
 ● auth                 0%    1.7   20ms  165ms  0.97 healthy  █▃▆▁▅█▃▇ ▄█▃▇▂▆▁▅
 ● 🚀launch             0%    1.3   26ms  215ms  0.97 healthy  ▄█▃▆▁▅█▃ █▃▇▃▆▂▆▁
 ○ shipping             0%    0.0   23ms  190ms     - idle     ▆▁▅█▃▇▂▅ ▆▂▅▁▅█▄▇












 Enter traces  / filter  s sort  q quit  ? help  1-8 views  : cmd  t window
"""#

    static let topologyGraph = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB                                  window 15m 11:06:40Z
 1 Services  2 Topology  3 Traces  4 Logs  5 Metrics  6 Breakers  7 Alerts  8 Limits
 8 services, 7 edges, graph
┌──────────┐                 ┌────────┐                         ┌───────────┐              ┌──────┐
│● frontend│─5.0/s 1.0%─────▶│◐ orders│─1.0/s 0%───────────────▶│● inventory│          ┌──▶│● auth│
│          │─0.1/s 0%─────┐  │        │─1.0/s 50% OPEN─────┐    └───────────┘          │┌─▶│      │
│          │─2.0/s 0%───┐ │  │        │─0.5/s 2.0% HALF────┼┐                          ││  └──────┘
└──────────┘            │ │  └────────┘                    ││   ┌──────────┐           ││
                        │ │                                └┼──▶│✖ payments│─1.0/s 0%──┘│
┌──────────┐            │ │  ┌──────────┐                   │   └──────────┘            │
│○ shipping│            │ └─▶│● 🚀launch│                   │                           │
└──────────┘            │    └──────────┘                   │   ┌──────┐                │
                        │                                   └──▶│● 注文│                │
                        └────────────────────────────────────┐  └──────┘                │
                                                             │                          │
                                                             └──────────────────────────┘












 frontend ▶ auth  2.0/s  err 0%  p50 3ms  p99 20ms  calls 1.8k  breaker closed
 Enter breaker  / filter  l graph/list  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let topologyASCII = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB                                  window 15m 11:06:40Z
 1 Services  2 Topology  3 Traces  4 Logs  5 Metrics  6 Breakers  7 Alerts  8 Limits
 8 services, 7 edges, graph
+----------+                 +--------+                         +-----------+              +------+
|+ frontend|-5.0/s 1.0%----->|~ orders|-1.0/s 0%--------------->|+ inventory|          +-->|+ auth|
|          |-0.1/s 0%-----+  |        |-1.0/s 50% OPEN-----+    +-----------+          |+->|      |
|          |-2.0/s 0%---+ |  |        |-0.5/s 2.0% HALF----++                          ||  +------+
+----------+            | |  +--------+                    ||   +----------+           ||
                        | |                                ++-->|! payments|-1.0/s 0%--+|
+----------+            | |  +----------+                   |   +----------+            |
|. shipping|            | +->|+ 🚀launch|                   |                           |
+----------+            |    +----------+                   |   +------+                |
                        |                                   +-->|+ 注文|                |
                        +------------------------------------+  +------+                |
                                                             |                          |
                                                             +--------------------------+












 frontend > 🚀launch  0.1/s  err 0%  p50 2ms  p99 9ms  calls 90
 Enter breaker  / filter  l graph/list  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let topologyList = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 8 services, 7 edges, list (graph too wide)
 CALLER                  CALLEE           HEALTH      RPS  ERR%    P99 BREAKER
 frontend              ▶ auth             healthy     2.0    0%   20ms closed
 frontend              ▶ orders           degraded    5.0  1.0%  180ms closed
 frontend              ▶ 🚀launch         healthy     0.1    0%    9ms -
 orders                ▶ inventory        healthy     1.0    0%   60ms closed
 orders                ▶ payments         failing     1.0   50%  900ms OPEN
 orders                ▶ 注文             healthy     0.5  2.0%   70ms HALF-OPEN
 payments              ▶ auth             healthy     1.0    0%   15ms closed












 Enter breaker  / filter  l graph/list  q quit  ? help  1-8 views  : cmd
"""#

    static let traces = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 Search: service=any   6 traces
 START        DURATION   ROOT                             SPANS TRACE ID
 11:06:03.000    120ms ✖ frontend: GET /checkout              6 a3ce929d0e0e4700
 11:05:26.000    120ms   frontend: GET /checkout              6 a3ce929d0e0e4701
 11:04:49.000    120ms   frontend: GET /checkout              6 a3ce929d0e0e4702
 11:04:12.000    120ms ✖ frontend: GET /checkout              6 a3ce929d0e0e4703
 11:03:35.000    120ms   frontend: GET /checkout              6 a3ce929d0e0e4704
 11:02:58.000    120ms   frontend: GET /checkout              6 a3ce929d0e0e4705













 Enter open  / filter  e errors  q quit  ? help  1-8 views  : cmd  t window
"""#

    static let waterfall = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 Trace 4bf92f3577b34da6a3ce929d0e0e4700  120ms  6 spans  6 services  1 error
 SPAN                             0──────30ms─────60ms─────90ms───120ms
◆frontend GET /checkout           █████████████████████████████████████    120ms
◆└─orders POST /orders            ███████████████████████████████          100ms
◆  ├─注文 記録                     █                                         4ms
✖  ├─payments charge                 ███████████████████                    60ms
◆  │ └─auth verify 🔑                █                                       3ms
◆  └─inventory reserve                                  ██████              20ms




── payments charge SERVER 60ms at +10ms ────────────────────────────────────────
  span 0000000000000003  parent 0000000000000002  ERROR card declined
  +30ms retry n=1
  logs with this trace id: 2
    11:06:03.005 INFO   orders order accepted
  ▶ 11:06:03.060 ERROR  payments card declined: \x1b[31mrisk\x1b[0m



 Esc back  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let logs = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 40 lines, following
 11:06:20.000 CRIT   frontend   ▶ evil \x1b[2J payload
 11:06:21.000 INFO   frontend     GET /checkout 200 in 84ms
 11:06:22.000 WARN   orders       retrying payment call (1/3)
 11:06:23.000 ERROR  payments     upstream timeout after 500ms
 11:06:24.000 INFO   注文       ▶ 注文を受け付けました 🎉
 11:06:25.000 DEBUG  auth         token cache hit
 11:06:26.000 NOTICE inventory    stock low for sku=42
 11:06:27.000 CRIT   frontend     evil \x1b[2J payload
 11:06:28.000 INFO   frontend   ▶ GET /checkout 200 in 84ms
 11:06:29.000 WARN   orders       retrying payment call (1/3)
 11:06:30.000 ERROR  payments     upstream timeout after 500ms
 11:06:31.000 INFO   注文         注文を受け付けました 🎉
 11:06:32.000 DEBUG  auth       ▶ token cache hit
 11:06:33.000 NOTICE inventory    stock low for sku=42
 11:06:34.000 CRIT   frontend     evil \x1b[2J payload
 11:06:35.000 INFO   frontend     GET /checkout 200 in 84ms
 11:06:36.000 WARN   orders     ▶ retrying payment call (1/3)
 11:06:37.000 ERROR  payments     upstream timeout after 500ms
 11:06:38.000 INFO   注文         注文を受け付けました 🎉
 11:06:39.000 DEBUG  auth         token cache hit
 Enter trace  / filter  q quit  ? help  1-8 views  : cmd  t window
"""#

    static let metrics = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 NAME                      TYPE        VALUE DETAIL                 SERIES
 auth.users                set           311 unique                 ▃█▅▁▆▂▇▃█▅▁▆
 inventory.stock           gauge          42 min 12 max 80          ▃▇▂▆▁▅█▃▇▂▆▁
 orders.created            counter      1.2k rate 1.4/s             ▃█▅▁▆▂▇▃█▅▁▆
 payments.latency          timer       880ms p50 40ms n=900         ▃█▅▁▆▂▇▃█▅▁▆
















 / filter  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let breakers = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 EDGE                              STATE      FAIL%  SLOW%  CALLS  REJECT  SINCE
 orders ▶ payments                 OPEN        50.0    0.0    100      37     5m
 orders ▶ 注文                     HALF-OPEN    2.0    0.0    100       0     5m
 frontend ▶ auth                   closed       0.0    0.0    100       0     5m
 frontend ▶ orders                 closed       1.0    0.0    100       0     5m
 orders ▶ inventory                closed       0.0    0.0    100       0     5m
 payments ▶ auth                   closed       0.0    0.0    100       0     5m



── transitions of orders ▶ payments ────────────────────────────────────────────
  11:01:40  HALF-OPEN ▶ OPEN       fail 60.0% slow 0.0% of 10 calls
  10:58:40  OPEN      ▶ HALF-OPEN  fail - slow - of 0 calls
  10:56:40  closed    ▶ OPEN       fail 55.0% slow 0.0% of 100 calls







 / filter  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let alerts = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 STATE    SEV      ALERT                                            VALUE    FOR
 firing   critical HighErrorRate{service="payments"}                  0.2     5m
 pending  warning  SlowP99{service="注文"}                           1250    30s
 resolved warning  BreakerOpen{edge="a→b"}                              0     2m








── history ─ payments error rate 20% > 5% ──────────────────────────────────────
  11:01:00  pending  ▶ firing   HighErrorRate{service=payments}  payments error
  11:00:00  inactive ▶ pending  HighErrorRate{service=payments}  payments error






 / filter  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let help = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 Keys (? or Esc closes)

  q       Quit meshtop                                               all
  ?       Show this help                                             all
  Tab     Next view                                                  all
  S-Tab   Previous view                                              all
  1-8     Go to view 1–8 (Services … Limits)                         all
  j/↓     Move down                                                  all
  k/↑     Move up                                                    all
  PgDn    Page down                                                  all
  PgUp    Page up                                                    all
  g       First row                                                  all
  G       Last row                                                   all
  Enter   Show the service's traces                                  Services
  Enter   Show the edge's breaker                                    Topology
  Enter   Open the trace waterfall                                   Traces
  Enter   Jump to the line's trace                                   Logs
  Esc     Go back                                                    Trace
  /       Filter rows by text                                        lists
  :       Command: :svc :op :min :err :since :clear :trace :q        all
  s       Sort by next column                                        Services
 Esc back  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let tooSmall = #"""








                     terminal too small
                     60x20, need 80x24
                          q quits









"""#

    static let alertsWide = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB                                  window 15m 11:06:40Z
 1 Services  2 Topology  3 Traces  4 Logs  5 Metrics  6 Breakers  7 Alerts  8 Limits
 STATE    SEV      ALERT                                                     VALUE    FOR SUMMARY
 firing   critical HighErrorRate{service="payments"}                           0.2     5m payments error rate 20% > 5%
 pending  warning  SlowP99{service="注文"}                                    1250    30s 注文 p99 1250ms > 1s
 resolved warning  BreakerOpen{edge="a→b"}                                       0     2m breaker a→b closed again








── history ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
  11:01:00  pending  ▶ firing   HighErrorRate{service=payments}  payments error rate 20% > 5%
  11:00:00  inactive ▶ pending  HighErrorRate{service=payments}  payments error rate 12% > 5%






 / filter  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let servicesWide = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB                                  window 15m 11:06:40Z
 1 Services  2 Topology  3 Traces  4 Logs  5 Metrics  6 Breakers  7 Alerts  8 Limits
   SERVICE         REQ  ERR%   RPS▼    P50    P99 INFLIGHT APDEX HEALTH   RATE                         LATENCY
 ● frontend       9.0k    0%   10.0    5ms   40ms     8/12  0.97 healthy  ▇▃▆▁▅█▃▆▂▅█▄▇▂▅▁▄▇▃▆▁▅█▃▆▂▅█ █▄▇▃▇▂▆▂▅▁▅█▄▇▃▇▂
 ◐ orders         4.5k  1.0%    5.0    8ms   65ms     8/11  0.97 degraded ▅▁▄▇▃▆▁▅█▃▆▂▅█▄▇▂▅▁▄▇▃▆▁▅█▃▆ ▂▆▂▅▁▅█▄▇▃▇▂▆▂▅▁▅
 ✖ payments       3.0k   20%    3.3   11ms   90ms     7/10  0.71 failing  ▄▇▂▅▁▄▇▃▆▁▅█▃▆▂▅█▄▇▂▅▁▄▇▃▆▁▅ ▅█▄▇▃▇▂▆▂▅▁▅█▄▇▃▇
 ● inventory      2.3k    0%    2.5   14ms  115ms      7/9  0.97 healthy  ▂▅█▄▇▂▅▁▄▇▃▆▁▅█▃▆▂▅█▄▇▂▅▁▄▇▃ ▇▂▆▂▅▁▅█▄▇▃▇▂▆▂▅▁
 ● 注文           1.8k    0%    2.0   17ms  140ms      6/8  0.97 healthy  █▃▆▂▅█▄▇▂▅▁▄▇▃▆▁▅█▃▆▂▅█▄▇▂▅▁ ▁▅█▄▇▃▇▂▆▂▅▁▅█▄▇▃
 ● auth           1.5k    0%    1.7   20ms  165ms      6/7  0.97 healthy  ▆▁▅█▃▆▂▅█▄▇▂▅▁▄▇▃▆▁▅█▃▆▂▅█▄▇ ▃▇▂▆▂▅▁▅█▄▇▃▇▂▆▂▅
 ● 🚀launch       1.1k    0%    1.3   26ms  215ms      5/5  0.97 healthy  ▂▅▁▄▇▃▆▁▅█▃▆▂▅█▄▇▂▅▁▄▇▃▆▁▅█▃ ▇▃▇▂▆▂▅▁▅█▄▇▃▇▂▆▂
 ○ shipping          0    0%    0.0   23ms  190ms        -     - idle     ▄▇▃▆▁▅█▃▆▂▅█▄▇▂▅▁▄▇▃▆▁▅█▃▆▂▅ ▅▁▅█▄▇▃▇▂▆▂▅▁▅█▄▇












 Enter traces  / filter  s sort  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#

    static let limits = #"""
 meshtop  collector live 2s  1.2k lines/s  rej 5  drop 0  db 12MB    window 15m
 1 Services 2 Topology 3 Traces 4 Logs 5 Metrics 6 Breakers 7 Alerts 8 Limits
 RULE                      RESOURCE                PASSED BLOCKED  QUEUED BLOCK%
 orders-pay-50qps          orders ▶ payments         3.0k     410       0    12%
 pay-throttle              payments                  3.0k      12     640   0.4%
 warm-注文                 注文                      1.8k       0       0     0%

















 / filter  q quit  ? help  1-8 views  : cmd  t window  space pause
"""#
}
