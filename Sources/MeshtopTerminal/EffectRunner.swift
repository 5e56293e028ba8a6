import Dispatch
import Foundation
import MeshtopConsole
import MeshtopQuery

/// Runs the console's loads on background threads and hands the answers back as messages, so a slow query never
/// holds up input. At most one request of a kind runs at a time; a newer one of the same kind waits and replaces
/// any older waiting one.
final class EffectRunner: @unchecked Sendable {
    private let reader: any QueryReading
    private let queue = DispatchQueue(label: "meshtop.console.effects", attributes: .concurrent)
    private let lock = NSLock()
    private var running: Set<String> = []
    private var waiting: [String: Request] = [:]
    private var inbox: [Message] = []

    init(reader: any QueryReading) { self.reader = reader }

    func submit(_ request: Request) {
        lock.lock()
        if running.contains(request.kind) {
            waiting[request.kind] = request
            lock.unlock()
            return
        }
        running.insert(request.kind)
        lock.unlock()
        start(request)
    }

    private func start(_ request: Request) {
        queue.async { [self] in
            let response = request.perform(on: reader)
            lock.lock()
            inbox.append(.loaded(response))
            let next = waiting.removeValue(forKey: request.kind)
            if next == nil { running.remove(request.kind) }
            lock.unlock()
            if let next { start(next) }
        }
    }

    /// Messages that arrived since the last call.
    func drain() -> [Message] {
        lock.lock()
        defer { lock.unlock() }
        let out = inbox
        inbox.removeAll(keepingCapacity: true)
        return out
    }
}

/// Turns SIGINT/SIGTERM/SIGHUP into a flag the input loop checks, so the loop ends and `endwin` runs.
final class SignalFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised: Int32?
    private var sources: [DispatchSourceSignal] = []

    init(signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        for sig in signals {
            Foundation.signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { [weak self] in self?.raise(sig) }
            src.resume()
            sources.append(src)
        }
    }

    private func raise(_ sig: Int32) {
        lock.lock()
        raised = sig
        lock.unlock()
    }

    var received: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    /// Restores default handling.
    func cancel() {
        for s in sources { s.cancel() }
        for sig in [SIGINT, SIGTERM, SIGHUP] { Foundation.signal(sig, SIG_DFL) }
    }
}
