import CNcursesw
import MeshtopConsole
enum MeshtopTerminalModule {}
