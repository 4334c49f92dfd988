// A local Neo4j 5 for graphsvc: the embedded DatabaseManagementService with the Bolt
// connector on loopback, run as `java -cp 'lib/*' Main.java DATA_DIR [PORT]` (see ./serve).
//
// * Bolt on 127.0.0.1:PORT (PORT 0 or absent: a free port), HTTP off.
// * Authentication on: user neo4j, password from NEO4J_PASSWORD (set at every start, so a
//   changed password takes effect; the first start needs it too).
// * Page cache from NEO4J_PAGECACHE (default 512m); the heap is the JVM's (-Xmx in serve).
// * Once Bolt accepts connections, prints exactly one line `bolt://127.0.0.1:PORT` on
//   stdout; everything else goes to stderr or DATA_DIR/logs.
// * SIGTERM/SIGINT: the shutdown hook stops the databases cleanly (checkpoint, no
//   recovery needed at the next start).

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -cp 'lib/*' Main.java DATA_DIR [PORT]");
            System.exit(2);
        }
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            System.err.println("error: set NEO4J_PASSWORD (the password of user neo4j)");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home);
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;
        String pageCache = System.getenv().getOrDefault("NEO4J_PAGECACHE", "512m");

        // The settings, as a neo4j.conf that the builder reads (written anew each start).
        Path conf = home.resolve("graphsvc-neo4j.conf");
        Files.writeString(conf, String.join("\n",
                "server.bolt.enabled=true",
                "server.bolt.listen_address=127.0.0.1:" + port,
                "server.bolt.advertised_address=127.0.0.1:" + port,
                "server.bolt.tls_level=DISABLED",
                "server.http.enabled=false",
                "server.https.enabled=false",
                "dbms.security.auth_enabled=true",
                "dbms.security.auth_minimum_password_length=1",
                "server.memory.pagecache.size=" + pageCache,
                "db.memory.transaction.total.max=2g",
                // The test suite and benchmarks churn through many small transactions:
                // keep little log on disk.
                "db.tx_log.rotation.retention_policy=2 files",
                "dbms.usage_report.enabled=false",
                ""));
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("neo4j: stopping");
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        try {
            setPassword(dbms, password);
            GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database("neo4j");
            int boltPort = db.getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT)
                    .getPort();
            waitUntilListening(boltPort, Duration.ofSeconds(60));
            System.out.println("bolt://127.0.0.1:" + boltPort);
            System.out.flush();
        } catch (RuntimeException | InterruptedException failed) {
            // The database's own threads would keep the JVM alive: exit, so that whoever
            // waits for the bolt:// line sees the failure at once.
            System.err.println("error: " + failed);
            System.exit(1);
        }
        stopped.await();
    }

    /** The password of user neo4j is whatever NEO4J_PASSWORD says, at every start. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (QueryExecutionException unchanged) {
            // A restart with the same password: Neo4j refuses to "change" it to itself.
            if (!String.valueOf(unchanged.getMessage()).contains("cannot be the same")) {
                throw unchanged;
            }
        }
    }

    private static void waitUntilListening(int port, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Bolt did not start listening on port " + port);
                }
                Thread.sleep(50);
            }
        }
    }
}
