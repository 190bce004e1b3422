import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.time.Instant;

/**
 * Temporal's time-skipping test server, started at a chosen instant. The stock launcher always starts
 * at the machine's clock; tests that pin the calendar (a year end, a holiday eve) need to start
 * elsewhere, and the demo's history starts a year back. Usage: <port> [--initial-time=<ISO-8601|ms>]
 */
public final class GongzhiTestServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: GongzhiTestServer <port> [--initial-time=<ISO-8601 instant | epoch ms>]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    long initial = 0; // 0: the machine's clock
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--initial-time=")) {
        String v = a.substring("--initial-time=".length());
        initial = v.matches("\\d+") ? Long.parseLong(v) : Instant.parse(v).toEpochMilli();
      } else {
        System.err.println("unknown argument: " + a);
        System.exit(2);
      }
    }
    // Time skipping starts locked, as with the stock launcher: the SDK unlocks it while it waits.
    TestServicesStarter services = new TestServicesStarter(true, initial);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdownNow();
                  services.close();
                }));
    server.awaitTermination();
  }
}
