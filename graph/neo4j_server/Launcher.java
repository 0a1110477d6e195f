import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;

/**
 * Runs a real Neo4j kernel with Bolt, for supplygraph's managed local database.
 *
 * <p>Usage: {@code java -cp <neo4j classpath> Launcher <home> <neo4j.conf> <password file>}.
 * Every setting comes from the neo4j.conf that graph/local_neo4j.py writes, so this file stays
 * small. On the first start it sets the password read from the password file before Bolt is
 * enabled, so that Bolt never accepts the well-known default one. A SIGTERM shuts the kernel down cleanly (a JVM
 * shutdown hook), which flushes the store and releases its lock.
 */
public final class Launcher {
    private static final String PASSWORD_MARKER = "password-set";

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Launcher <home> <neo4j.conf> <password file>");
            System.exit(2);
        }
        Path home = Path.of(args[0]);
        Path conf = Path.of(args[1]);
        Path passwordFile = Path.of(args[2]);

        if (!Files.exists(home.resolve(PASSWORD_MARKER))) {
            setInitialPassword(home, conf, passwordFile);
        }
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("supplygraph: stopping Neo4j");
            service.shutdown();
            System.out.println("supplygraph: Neo4j stopped");
            stopped.countDown();
        }, "supplygraph-shutdown"));

        System.out.println("supplygraph: Neo4j ready");
        System.out.flush();
        stopped.await();
    }

    /**
     * Sets the neo4j user's password on the first start of a fresh home folder, with Bolt off, so
     * that no client can ever log in with the default password.
     */
    private static void setInitialPassword(Path home, Path conf, Path passwordFile) throws IOException {
        String password = Files.readString(passwordFile).strip();
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .setConfig(BoltConnector.enabled, false)
                .build();
        try {
            GraphDatabaseService system = service.database("system");
            // A timeout of its own: db.transaction.timeout is for queries, and a short one (or a busy
            // machine compiling the first query) must not stop the first start.
            try (Transaction tx = system.beginTx(10, TimeUnit.MINUTES)) {
                tx.execute("ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
                tx.commit();
            }
        } finally {
            service.shutdown();
        }
        Files.writeString(home.resolve(PASSWORD_MARKER), "");
    }
}
