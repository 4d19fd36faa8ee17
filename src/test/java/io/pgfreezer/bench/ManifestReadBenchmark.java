package io.pgfreezer.bench;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import io.pgfreezer.testing.S3ProxyServer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tool's CPU time per manifest read, without the rest of a command: N manifests as the
 * original writes them on s3proxy's file-system backend, listed and read with no index, round
 * after round in one JVM. Each round's CPU is split by the threads that spent it (the JVM's
 * garbage collector and JIT compilers, from /proc on Linux, and everything else, which is the
 * reads themselves), so a change to the read path shows in the last column rather than in a wall
 * time that on a shared machine is mostly waiting for a core.
 * Usage: {@code scripts/benchmark-manifests.sh --reads [N [ROUNDS]]} (default 2000 and 6).
 */
public final class ManifestReadBenchmark {

    private ManifestReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        System.out.printf("java %s, %d cores, %s=%s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                StorageManifestStore.PARALLELISM_VARIABLE,
                System.getenv().getOrDefault(StorageManifestStore.PARALLELISM_VARIABLE, "unset (32)"));
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Provider.FILESYSTEM)) {
            String bucket = s3.newBucket();
            try (ObjectStorage storage = ObjectStorages.open(s3.storageConfig(bucket))) {
                ManifestObjects.fill(s3, bucket, storage, n,
                        i -> StorageManifestStore.key(ManifestBenchmark.TABLE, ManifestBenchmark.id(ManifestBenchmark.window(i))),
                        i -> ManifestBenchmark.originalManifest(ManifestBenchmark.id(ManifestBenchmark.window(i)),
                                ManifestBenchmark.window(i)));
            }
            System.out.printf("%-6s %8s %9s %9s %9s %9s %9s %11s%n", "round", "wall s", "tool CPU", "kernel", "GC",
                    "JIT", "rest", "rest ms/GET");
            // Opened per round, as every command opens its own storage.
            for (int round = 1; round <= rounds; round++) {
                Cpu before = Cpu.now();
                long start = System.nanoTime();
                List<BatchManifest> listed;
                try (ObjectStorage storage = ObjectStorages.open(s3.storageConfig(bucket))) {
                    listed = StorageManifestStore.open(storage, System.getenv()).list(ManifestBenchmark.TABLE);
                }
                double wall = (System.nanoTime() - start) / 1e9;
                if (listed.size() != n) {
                    throw new IllegalStateException("listed " + listed.size() + " manifests, not " + n);
                }
                Cpu used = Cpu.now().minus(before);
                double rest = used.total() - used.gc() - used.jit();
                System.out.printf("%-6d %8.2f %9.2f %9.2f %9.2f %9.2f %9.2f %11.3f%n", round, wall, used.total(),
                        used.kernel(), used.gc(), used.jit(), rest, rest * 1000 / n);
            }
        }
    }

    /**
     * Seconds of CPU: the whole process, the part of it spent in the kernel, its garbage
     * collector threads and its JIT compiler threads.
     */
    private record Cpu(double total, double kernel, double gc, double jit) {
        static Cpu now() throws IOException {
            double total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e9;
            double gc = 0;
            double jit = 0;
            double kernel = 0;
            Path self = Path.of("/proc/self/stat");
            if (Files.isReadable(self)) {
                String stat = Files.readString(self);
                kernel = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[12]) / 100.0;
            }
            Path tasks = Path.of("/proc/self/task");
            if (Files.isDirectory(tasks)) {
                try (Stream<Path> threads = Files.list(tasks)) {
                    for (Path t : (Iterable<Path>) threads::iterator) {
                        String stat;
                        try {
                            stat = Files.readString(t.resolve("stat"));
                        } catch (IOException e) {
                            continue; // the thread ended meanwhile
                        }
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        // utime and stime, fields 14 and 15 of stat, in clock ticks of 1/100 s
                        double s = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                            gc += s;
                        } else if (name.contains("CompilerThre")) {
                            jit += s;
                        }
                    }
                }
            }
            return new Cpu(total, kernel, gc, jit);
        }

        Cpu minus(Cpu o) {
            return new Cpu(total - o.total, kernel - o.kernel, gc - o.gc, jit - o.jit);
        }
    }
}
