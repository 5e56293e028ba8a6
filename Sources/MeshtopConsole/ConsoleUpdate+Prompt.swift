import MeshtopModel
import MeshtopQuery

/// The `/` filter and `:` command line.
extension ConsoleUpdate {
    static func edit(_ prompt: Prompt, _ key: Key, _ s: inout ConsoleState) -> [Effect] {
        var text: String
        switch prompt {
        case .filter(let t), .command(let t): text = t
        }
        switch key {
        case .escape:
            s.prompt = nil
            return []
        case .enter:
            s.prompt = nil
            switch prompt {
            case .filter:
                s.filters[s.tab] = text.isEmpty ? nil : text
                if s.tab == .topology { s.rebuildTopologyGraph() }
                s.cursors[s.tab] = Cursor()
                if s.tab == .logs { s.logFollow = true }
                s.clampCursor(s.tab)
                if s.tab == .logs { moveLogsToEnd(&s) }
                return []
            case .command:
                return command(text, &s)
            }
        case .backspace, .delete, .control("h"):
            if text.isEmpty {
                s.prompt = nil
                return []
            }
            text.removeLast()
        case .control("u"):
            text = ""
        case .char(let c):
            text.append(c)
        default:
            return []
        }
        switch prompt {
        case .filter: s.prompt = .filter(text)
        case .command: s.prompt = .command(text)
        }
        return []
    }

    static func moveLogsToEnd(_ s: inout ConsoleState) {
        let n = s.visibleLogs.count
        var c = Cursor(selected: max(n - 1, 0))
        c.scroll(count: n, height: s.listHeight(.tab(.logs)))
        s.cursors[.logs] = c
    }

    /// Runs a `:` command. Unknown commands leave a notice saying what is accepted.
    static func command(_ line: String, _ s: inout ConsoleState) -> [Effect] {
        let words = line.trimmingWhitespace().split(separator: " ", maxSplits: 1).map(String.init)
        guard let name = words.first?.lowercased() else { return [] }
        let arg = words.count > 1 ? words[1].trimmingWhitespace() : ""
        switch name {
        case "q", "quit", "exit":
            s.quitting = true
            return [.quit]
        case "svc", "service":
            s.traceFilter.service = arg.isEmpty ? nil : arg
            return searchChanged(&s)
        case "op", "operation":
            s.traceFilter.operation = arg.isEmpty ? nil : arg
            return searchChanged(&s, show: .traces)
        case "min":
            if arg.isEmpty {
                s.traceFilter.minDurationMicros = nil
            } else if let d = DurationText.parseMicros(arg) {
                s.traceFilter.minDurationMicros = d
            } else {
                return fail("'\(arg)' is not a duration; try :min 100ms", &s)
            }
            return searchChanged(&s, show: .traces)
        case "err", "errors":
            s.traceFilter.errorsOnly.toggle()
            return searchChanged(&s, show: .traces)
        case "since", "window":
            guard let d = DurationText.parseMicros(arg), d > 0 else {
                return fail("'\(arg)' is not a duration; try :since 1h", &s)
            }
            return setWindow(d, &s)
        case "clear":
            s.traceFilter = TraceFilter()
            s.filters = [:]
            s.rebuildTopologyGraph()
            return searchChanged(&s)
        case "trace":
            guard !arg.isEmpty else { return fail("give a trace id: :trace 4bf92f35", &s) }
            return open(trace: arg.lowercased(), from: s.tab, &s)
        case "help":
            s.showHelp = true
            return []
        default:
            if let t = Tab.allCases.first(where: { $0.title.lowercased().hasPrefix(name) }) {
                return switchTo(t, &s)
            }
            return fail("unknown command ':\(name)'; try :svc, :op, :min, :err, :since, :clear, :trace, :q", &s)
        }
    }

    static func fail(_ message: String, _ s: inout ConsoleState) -> [Effect] {
        s.notice = message
        s.noticeIsError = true
        return []
    }

    /// The trace/log/metric filters changed: restart the searches, optionally showing the traces.
    static func searchChanged(_ s: inout ConsoleState, show: Tab? = nil) -> [Effect] {
        s.cursors[.traces] = Cursor()
        s.cursors[.metrics] = Cursor()
        s.resetLogs()
        var effects: [Effect] = []
        if let t = show, t != s.tab || s.trace != nil {
            s.trace = nil
            effects = switchTo(t, &s)
        } else {
            effects = loads(for: s.tab, s)
        }
        if s.tab != .traces { effects.append(.load(.traces(s.traceSearch))) }
        return effects
    }
}
