package local.stack;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts a single real OpenSearch node in this JVM for the local development / test stack.
 *
 * <p>Usage: {@code java ... local.stack.OpenSearchLauncher -E path.home=DIR -E http.port=9201 [-E key=value ...]}
 *
 * <p>The modules that the OpenSearch distribution would load from its {@code modules/} folder are
 * passed as classpath plugins instead (Netty4 HTTP/transport, common analysis, mapper extras,
 * reindex, painless). No security plugin. Stops cleanly on SIGTERM / SIGINT.
 */
public final class OpenSearchLauncher {

    /** Node subclass only to reach the protected constructor that accepts classpath plugins. */
    static final class LocalNode extends Node {
        LocalNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        ReindexPlugin.class,
        PainlessPlugin.class
    );

    public static void main(String[] args) throws Exception {
        Settings.Builder overrides = Settings.builder();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String kv;
            if (a.equals("-E") && i + 1 < args.length) {
                kv = args[++i];
            } else if (a.startsWith("-E")) {
                kv = a.substring(2);
            } else {
                System.err.println("unexpected argument: " + a + " (use -E key=value)");
                System.exit(2);
                return;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                System.err.println("expected key=value, got: " + kv);
                System.exit(2);
                return;
            }
            overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Settings given = overrides.build();
        String home = given.get("path.home");
        if (home == null) {
            System.err.println("-E path.home=DIR is required");
            System.exit(2);
            return;
        }
        Path homePath = Paths.get(home).toAbsolutePath();
        Path configPath = homePath.resolve("config");
        Files.createDirectories(configPath);
        try (InputStream in = OpenSearchLauncher.class.getResourceAsStream("/log4j2.properties")) {
            Files.copy(in, configPath.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }

        Settings settings = Settings.builder()
            .put("cluster.name", "stack-local")
            .put("node.name", "stack-local-node")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "9201")
            .put("transport.port", "9300-9399")
            .put("path.data", homePath.resolve("data").toString())
            .put("path.logs", homePath.resolve("logs").toString())
            // A shared, possibly fairly full disk: never flip indices to read-only because of it.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("bootstrap.memory_lock", false)
            .put("action.auto_create_index", true)
            .put(given)
            .put("path.home", homePath.toString())
            .build();

        Environment env = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), configPath, () -> settings.get("node.name"));
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(settings.get("node.name"));
        LogConfigurator.configure(env);

        Node node = new LocalNode(env, PLUGINS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(20, TimeUnit.SECONDS)) {
                    System.err.println("opensearch: node did not close within 20s");
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
                LogManager.shutdown();
            }
        }, "stack-opensearch-shutdown"));

        try {
            node.start();
        } catch (Throwable t) {
            System.err.println("opensearch: failed to start: " + t);
            t.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        System.err.println("opensearch: started, http on " + settings.get("network.host") + ":" + settings.get("http.port"));
        // Keep the JVM alive until a signal runs the shutdown hook.
        stopped.await();
    }
}
