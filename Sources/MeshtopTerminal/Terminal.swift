@preconcurrency import CNcursesw
import MeshtopConsole

/// All curses setup and teardown in one place (htop's `CRT_init`/`CRT_done`), drawing screens by diff, and
/// decoding keys. Single-threaded: use it from the input loop only.
final class Terminal {
    private var theme: Theme
    private var previous: Screen?
    private(set) var active = false
    private var screenHandle: OpaquePointer?

    /// Sets the locale, initialises curses (cbreak, noecho, keypad, short ESCDELAY, input timeout) and the theme.
    init(color: Bool, inputTimeoutMillis: Int32) throws {
        meshtop_setlocale()
        set_escdelay(25)
        // newterm, unlike initscr, returns nil on an unknown TERM instead of exiting the process.
        guard let out = fdopen(1, "w"), let input = fdopen(0, "r"), let handle = newterm(nil, out, input) else {
            throw TerminalError.initFailed
        }
        screenHandle = handle
        set_term(handle)
        active = true
        cbreak()
        noecho()
        keypad(meshtop_stdscr(), true)
        curs_set(0)
        wtimeout(meshtop_stdscr(), inputTimeoutMillis)
        theme = Theme(wantColor: color)
    }

    deinit { stop() }

    /// Restores the terminal (leaves the alternate screen, echo back on). Safe to call more than once.
    func stop() {
        guard active else { return }
        active = false
        endwin()
        if let h = screenHandle { delscreen(h) }
        screenHandle = nil
    }

    var size: (rows: Int, cols: Int) {
        (Int(meshtop_getmaxy(meshtop_stdscr())), Int(meshtop_getmaxx(meshtop_stdscr())))
    }

    /// Forgets the last frame so the next draw repaints everything (after a resize).
    func invalidate() {
        previous = nil
        wclear(meshtop_stdscr())
    }

    /// Draws only the cells that changed since the last frame, then updates the physical screen.
    func draw(_ screen: Screen) {
        var chars = [wchar_t](repeating: 0, count: 5)
        for run in ScreenDiff.runs(from: previous, to: screen) {
            var c = run.col
            while c < run.col + run.count {
                let cell = screen[run.row, c]
                if cell.width == 0 {
                    c += 1
                    continue
                }
                let (a, p) = theme.resolve(cell.style)
                if cell.width == 2, c + 1 < screen.cols {
                    chars[0] = wchar_t(32)
                    _ = meshtop_put_cell(Int32(run.row), Int32(c + 1), chars, 1, a, p)
                }
                var n = 0
                for u in cell.character.unicodeScalars where n < 4 {
                    chars[n] = wchar_t(bitPattern: u.value)
                    n += 1
                }
                _ = meshtop_put_cell(Int32(run.row), Int32(c), chars, Int32(n), a, p)
                c += 1
            }
        }
        previous = screen
        wrefresh(meshtop_stdscr())
    }

    /// One key, or nil when the input timeout passed. `.resize` arrives as `nil` with `resized` set.
    func readKey() -> KeyEvent? {
        var value: UInt32 = 0
        switch meshtop_read_key(&value) {
        case 0: return Terminal.decode(char: value)
        case 1: return Terminal.decode(code: value)
        default: return nil
        }
    }

    static func decode(char v: UInt32) -> KeyEvent? {
        switch v {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26:
            return .key(.control(Character(Unicode.Scalar(v + 96) ?? "?")))
        default:
            guard let u = Unicode.Scalar(v) else { return nil }
            return .key(.char(Character(u)))
        }
    }

    static func decode(code: UInt32) -> KeyEvent? {
        switch Int(code) {
        case MESHTOP_KEY_UP: return .key(.up)
        case MESHTOP_KEY_DOWN: return .key(.down)
        case MESHTOP_KEY_LEFT: return .key(.left)
        case MESHTOP_KEY_RIGHT: return .key(.right)
        case MESHTOP_KEY_PPAGE: return .key(.pageUp)
        case MESHTOP_KEY_NPAGE: return .key(.pageDown)
        case MESHTOP_KEY_HOME: return .key(.home)
        case MESHTOP_KEY_END: return .key(.end)
        case MESHTOP_KEY_BACKSPACE: return .key(.backspace)
        case MESHTOP_KEY_DC: return .key(.delete)
        case MESHTOP_KEY_BTAB: return .key(.backTab)
        case MESHTOP_KEY_ENTER: return .key(.enter)
        case MESHTOP_KEY_RESIZE: return .resize
        default: return nil
        }
    }
}

/// What the keyboard produced.
enum KeyEvent {
    case key(Key)
    case resize
}

/// Why the terminal could not be used.
public enum TerminalError: Error, CustomStringConvertible {
    case initFailed

    public var description: String {
        "could not initialise the terminal; check that TERM names a known terminal and stdout is a tty"
    }
}
