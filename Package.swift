// swift-tools-version:6.0
import PackageDescription

// Linux only: local machines are Linux namespaces (CProcess and clawrun-init call clone3,
// pidfd, epoll, seccomp and pivot_root), so no Apple platform is declared; CProcess stops a build
// elsewhere with an #error that says so.
let package = Package(
    name: "clawrun",
    products: [
        .executable(name: "clawrun", targets: ["clawrun"]),
        .executable(name: "openclaw-sim", targets: ["openclaw-sim"]),
        .executable(name: "clawrun-init", targets: ["clawrun-init"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"]), .brew(["lua"])]
        ),
        .target(name: "CProcess"),
        .target(name: "LuaRuntime", dependencies: ["CLua", "ClawrunCore"]),
        .target(name: "ClawrunCore"),
        .target(
            name: "DedalusAPI",
            dependencies: [
                "ClawrunCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "LocalMachines", dependencies: ["ClawrunCore", "CProcess"]),
        .target(name: "MemoryMachines", dependencies: ["ClawrunCore"]),
        .target(
            name: "MachinesAPIServer",
            dependencies: [
                "ClawrunCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // OpenClaw's own rules that both the simulator and clawrun follow (which config paths are secret).
        .target(name: "OpenClawRules"),
        .target(
            name: "OpenClawSim",
            dependencies: [
                "OpenClawRules",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "Reporting", dependencies: ["ClawrunCore"]),
        .target(
            name: "ClawrunHost",
            dependencies: [
                "LuaRuntime", "ClawrunCore", "Reporting", "OpenClawRules",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "clawrun",
            dependencies: [
                "ClawrunHost", "ClawrunCore", "Reporting", "LocalMachines", "DedalusAPI", "MachinesAPIServer", "MemoryMachines",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Machines run the simulator from /run/clawrun and see none of the host's Swift runtime.
        .executableTarget(name: "openclaw-sim", dependencies: ["OpenClawSim"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib"])]),
        .executableTarget(name: "clawrun-init", dependencies: ["CProcess"],
                          linkerSettings: [.unsafeFlags(["-static-executable"])]),
        .testTarget(name: "LuaRuntimeTests", dependencies: ["LuaRuntime", "ClawrunCore"]),
        .target(name: "ClawrunTestSupport", dependencies: ["ClawrunCore", "MemoryMachines"], path: "Tests/ClawrunTestSupport",
                exclude: ["stand_ins.py"]),
        .testTarget(name: "ClawrunCoreTests", dependencies: ["ClawrunCore", "ClawrunTestSupport"]),
        .testTarget(name: "ClawrunHostTests", dependencies: ["ClawrunHost", "Reporting", "LuaRuntime", "ClawrunCore", "ClawrunTestSupport"]),
        .testTarget(name: "LocalMachinesTests", dependencies: ["LocalMachines", "ClawrunCore", "CProcess"]),
        .testTarget(
            name: "DedalusAPITests",
            dependencies: ["DedalusAPI", "MachinesAPIServer", "ClawrunCore", "MemoryMachines", "ClawrunTestSupport"],
            exclude: ["sdk_lifecycle.py", "sdk_seed_exec.py", "sdk_rate_limit.py"]
        ),
        .testTarget(name: "OpenClawSimTests", dependencies: ["OpenClawSim", "OpenClawRules", "ClawrunTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ClawrunCore", "ClawrunTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
