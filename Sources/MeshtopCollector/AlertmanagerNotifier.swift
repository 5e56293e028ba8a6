import Dispatch
import Foundation
import Logging
import MeshtopModel

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends alerts to Alertmanager's v2 API (`POST /api/v2/alerts`) as Prometheus does: after every evaluation each
/// firing alert is (re)sent with `startsAt` and an `endsAt` 4 × max(1 min, evaluation interval) ahead, so
/// Alertmanager keeps it active while meshtop keeps sending and lets it lapse if meshtop dies; a resolved alert is
/// sent once with `endsAt` = its resolve time. Labels: `alertname` (the rule), `severity`, the instance's labels;
/// annotations: `summary`, `value`. Sending runs on its own queue, never on the writer; a batch that fails is
/// retried with backoff (1 s doubling to 30 s) until it succeeds or a newer evaluation replaces it (resolved alerts
/// are carried over until delivered).
final class AlertmanagerNotifier: @unchecked Sendable {
    private let endpoints: [URL]
    private let resendMicros: Int64
    private let logger: Logger
    private let queue = DispatchQueue(label: "meshtop.alertmanager")
    private let lock = NSLock()
    /// Resolved alerts not yet delivered, and the newest evaluation's firing alerts not yet sent.
    private var pendingResolved: [[String: Any]] = []
    private var latestFiring: [[String: Any]] = []
    private var generation = 0
    private var sending = false
    private let session: URLSession

    init(urls: [URL], evaluationIntervalMicros: Int64, logger: Logger) {
        self.endpoints = urls.map { $0.appendingPathComponent("api/v2/alerts") }
        self.resendMicros = 4 * max(60_000_000, evaluationIntervalMicros)
        self.logger = logger
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 10
        session = URLSession(configuration: config)
    }

    /// One evaluation: the whole active view and its transitions (writer thread; returns at once).
    func evaluated(view: [AlertStatus], transitions: [AlertTransition], nowMicros: Int64) {
        let firing = view.filter { $0.state == .firing }.map { alert in
            Self.payload(
                rule: alert.rule, severity: alert.severity, labels: alert.labels, summary: alert.summary,
                value: alert.value, startsAt: alert.firedAtMicros ?? alert.sinceMicros, endsAt: nowMicros + resendMicros
            )
        }
        let resolved = transitions.filter { $0.to == .resolved }.map { t in
            Self.payload(
                rule: t.rule, severity: t.severity, labels: t.labels, summary: t.summary, value: t.value,
                startsAt: nil, endsAt: t.atMicros)
        }
        lock.lock()
        latestFiring = firing
        pendingResolved += resolved
        generation += 1
        let start = !sending && !(firing.isEmpty && pendingResolved.isEmpty)
        if start { sending = true }
        lock.unlock()
        if start { queue.async { self.deliver() } }
    }

    /// Blocks until what is queued has been tried once (shutdown).
    func drain() {
        queue.sync {}
    }

    private func deliver() {
        var backoff = 1.0
        while true {
            lock.lock()
            let firing = latestFiring
            let resolved = pendingResolved
            let gen = generation
            if firing.isEmpty && resolved.isEmpty {
                sending = false
                lock.unlock()
                return
            }
            lock.unlock()
            let body =
                (try? JSONSerialization.data(withJSONObject: firing + resolved, options: [.sortedKeys]))
                ?? Data("[]".utf8)
            let ok = endpoints.allSatisfy { post(body, to: $0) }
            lock.lock()
            if ok {
                pendingResolved.removeFirst(min(resolved.count, pendingResolved.count))
                if generation == gen { latestFiring = [] }
            }
            lock.unlock()
            if ok {
                backoff = 1
            } else {
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 30)
            }
        }
    }

    private func post(_ body: Data, to url: URL) -> Bool {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        let status = StatusBox()
        session.dataTask(with: request) { _, response, error in
            status.set((response as? HTTPURLResponse)?.statusCode, error)
            done.signal()
        }.resume()
        done.wait()
        let (code, error) = status.get()
        if let code, (200..<300).contains(code) { return true }
        logger.warning(
            "alertmanager \(url.absoluteString): \(code.map { "HTTP \($0)" } ?? "\(error.map { "\($0)" } ?? "no answer")"); will retry"
        )
        return false
    }

    static func payload(
        rule: String, severity: String, labels: [Attribute], summary: String, value: Double, startsAt: Int64?,
        endsAt: Int64
    ) -> [String: Any] {
        var l: [String: String] = ["alertname": rule, "severity": severity]
        for a in labels { l[a.key] = a.value.text }
        var out: [String: Any] = [
            "labels": l,
            "annotations": ["summary": summary, "value": PrometheusText.format(value)],
            "endsAt": RFC3339.format(micros: endsAt),
            "generatorURL": "meshtop:///alerts?rule="
                + (rule.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? rule),
        ]
        if let startsAt { out["startsAt"] = RFC3339.format(micros: startsAt) }
        return out
    }
}

/// The answer of one request, handed from URLSession's callback thread.
private final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var code: Int?
    private var error: (any Error)?

    func set(_ code: Int?, _ error: (any Error)?) {
        lock.withLock {
            self.code = code
            self.error = error
        }
    }

    func get() -> (Int?, (any Error)?) { lock.withLock { (code, error) } }
}
