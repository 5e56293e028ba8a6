import NIOHTTP1

/// `GET /metrics` (`--metrics HOST:PORT`): the Prometheus text format, or OpenMetrics 1.0 when the scraper's
/// `Accept` asks for `application/openmetrics-text` (Prometheus does by default).
struct MetricsRoutes: HTTPIngestRoutes {
    let name = "metrics_http"
    let exporter: PrometheusExporter
    let statistics: @Sendable () -> [String: Int64]
    let queueDepth: @Sendable () -> Int
    let logIndexLag: @Sendable () -> Int64

    func respond(to request: HTTPIngestRequest) -> HTTPIngestResponse {
        guard request.path == "/metrics" else {
            return .text(.notFound, "not found: meshtop exposes GET /metrics")
        }
        guard request.method == .GET || request.method == .HEAD else {
            return .text(.methodNotAllowed, "use GET", headers: [("Allow", "GET, HEAD")])
        }
        let openMetrics = request.accept.contains("application/openmetrics-text")
        let text = exporter.render(
            openMetrics: openMetrics, collector: statistics(), queueDepth: queueDepth(), logIndexLag: logIndexLag())
        return HTTPIngestResponse(
            status: .ok,
            contentType: openMetrics
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8",
            body: request.method == .HEAD ? [] : Array(text.utf8))
    }
}
