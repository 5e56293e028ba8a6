import MeshtopCLI

@main
enum Entrypoint {
    static func main() async {
        await MeshtopCommand.runMain()
    }
}
