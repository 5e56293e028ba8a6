// swift-tools-version: 6.1
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "meshtop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meshtop", targets: ["meshtop"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Pure value types shared by everything.
        .target(name: "MeshtopModel", swiftSettings: swift6),
        // The client side: HOST:PORT parsing, the datagram packer, a connected UDP socket and the retrying sender,
        // shared by the agent, the demo, `meshtop send` and the benchmark; the demo's blocking HTTP/1.1 keep-alive
        // POST client. Never imports the collector.
        .target(name: "MeshtopNet", swiftSettings: swift6),
        // Pure decoders/encoders: bytes <-> model.
        .target(name: "MeshtopWire", dependencies: ["MeshtopModel"], swiftSettings: swift6),
        // Swift generated once from the OTLP, google.rpc.Status and Zipkin proto3 schemas by scripts/gen-otlp.sh
        // (committed: the build never runs protoc): messages, and grpc-swift 2 stubs for the three OTLP services.
        .target(
            name: "MeshtopOTLPProto",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            swiftSettings: swift6),
        // OTLP (protobuf and JSON) and Zipkin proto3 request bodies -> model; OTLP responses; cumulative -> delta.
        .target(
            name: "MeshtopOTLP",
            dependencies: [
                "MeshtopModel", "MeshtopWire", "MeshtopOTLPProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swift6),
        // SQLite through GRDB: migrations, batched writer, read queries, retention.
        .target(
            name: "MeshtopStore",
            dependencies: ["MeshtopModel", "CMeshtopSQLite", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swift6),
        // sqlite3_config (variadic, so not callable from Swift): SQLite's memory statistics off.
        .target(
            name: "CMeshtopSQLite", path: "Sources/CMeshtopSQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        // Health, topology, breakers, StatsD aggregation, alerts: pure logic over model values.
        .target(
            name: "MeshtopGovernance",
            dependencies: [
                "MeshtopModel",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swift6),
        // UDP listeners -> decode -> bounded queue -> store writer; governance tick; self-metrics.
        .target(
            name: "MeshtopCollector",
            dependencies: [
                "MeshtopModel", "MeshtopWire", "MeshtopStore", "MeshtopGovernance", "MeshtopNet", "MeshtopOTLPProto",
                "MeshtopOTLP", "CMeshtopSocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swift6),
        // Read-side use cases shared by CLI and console, and output formatters.
        .target(
            name: "MeshtopQuery",
            dependencies: [
                "MeshtopModel", "MeshtopStore", "MeshtopGovernance",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swift6),
        // File tailing, offsets, multi-line joining, UDP shipping (ships text lines: needs no decoder).
        .target(name: "MeshtopAgent", dependencies: ["MeshtopModel", "MeshtopNet"], swiftSettings: swift6),
        // Console: state + update + view -> Screen. No curses here.
        .target(name: "MeshtopConsole", dependencies: ["MeshtopModel", "MeshtopQuery"], swiftSettings: swift6),
        // recvmmsg and eventfd for the UDP listeners (Swift's Glibc module lacks them).
        .target(name: "CMeshtopSocket", path: "Sources/CMeshtopSocket"),
        .systemLibrary(
            name: "CNcursesw", path: "Sources/CNcursesw",
            providers: [.apt(["libncursesw5-dev"])]),
        // The thin curses layer.
        .target(
            name: "MeshtopTerminal", dependencies: ["MeshtopConsole", "CNcursesw"],
            swiftSettings: swift6),
        // Simulated microservices sending real wire formats (UDP, OTLP/HTTP, OTLP/gRPC).
        .target(
            name: "MeshtopDemo",
            dependencies: [
                "MeshtopModel", "MeshtopWire", "MeshtopNet", "MeshtopOTLP", "MeshtopOTLPProto",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            ],
            swiftSettings: swift6),
        // `meshtop bench …`: ingest (UDP), OTLP/HTTP, store, query, governance and console benchmarks; the CLI
        // keeps thin commands.
        .target(
            name: "MeshtopBench",
            dependencies: [
                "MeshtopModel", "MeshtopNet", "MeshtopWire", "MeshtopStore", "MeshtopGovernance", "MeshtopQuery",
                "MeshtopCollector", "MeshtopConsole", "MeshtopOTLPProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swift6),
        .target(
            name: "MeshtopCLI",
            dependencies: [
                "MeshtopModel", "MeshtopWire", "MeshtopStore", "MeshtopGovernance", "MeshtopCollector",
                "MeshtopQuery", "MeshtopAgent", "MeshtopConsole", "MeshtopTerminal", "MeshtopDemo", "MeshtopNet",
                "MeshtopBench", "MeshtopPostgres",
                "MeshtopOTLPProto", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6),
        // PostgreSQL through postgres-nio: the second StoreWriter/StoreReader backend (docs/scaling.md).
        .target(
            name: "MeshtopPostgres",
            dependencies: [
                "MeshtopModel", "MeshtopStore", "MeshtopWire",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6),
        .executableTarget(name: "meshtop", dependencies: ["MeshtopCLI"], swiftSettings: swift6),

        .testTarget(name: "MeshtopModelTests", dependencies: ["MeshtopModel"], swiftSettings: swift6),
        .testTarget(
            name: "MeshtopWireTests", dependencies: ["MeshtopWire"], resources: [.copy("Fixtures")],
            swiftSettings: swift6),
        .testTarget(
            name: "MeshtopOTLPTests",
            dependencies: [
                "MeshtopOTLP", "MeshtopOTLPProto", "MeshtopWire", "MeshtopGovernance", "MeshtopModel",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: swift6),
        .testTarget(
            name: "MeshtopStoreTests", dependencies: ["MeshtopStore", "MeshtopBench"], swiftSettings: swift6),
        .testTarget(
            name: "MeshtopGovernanceTests", dependencies: ["MeshtopGovernance"], swiftSettings: swift6),
        .testTarget(
            name: "MeshtopCollectorTests",
            dependencies: [
                "MeshtopCollector", "MeshtopNet", "MeshtopWire", "MeshtopStore", "MeshtopOTLPProto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: swift6),
        .testTarget(
            name: "MeshtopQueryTests",
            dependencies: ["MeshtopQuery", "MeshtopStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swift6),
        .testTarget(
            name: "MeshtopConsoleTests", dependencies: ["MeshtopConsole", "MeshtopQuery", "MeshtopStore"],
            swiftSettings: swift6),
        .testTarget(name: "MeshtopAgentTests", dependencies: ["MeshtopAgent"], swiftSettings: swift6),
        .testTarget(name: "MeshtopDemoTests", dependencies: ["MeshtopDemo"], swiftSettings: swift6),
        .testTarget(
            name: "MeshtopPostgresTests",
            dependencies: ["MeshtopPostgres", "MeshtopStore", "MeshtopModel", "MeshtopGovernance"],
            swiftSettings: swift6),
        .testTarget(
            name: "MeshtopCLITests", dependencies: ["MeshtopCLI", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swift6),
    ]
)
