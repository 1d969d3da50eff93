// Compiled once into the cache and run by up.sh (`java -cp <kafka libs>/*:<classes> KafkaWarmup
// <bootstrap>`): asks for a consumer group's offsets once, which makes the broker create and load
// __consumer_offsets now. Without it the first consumer group of a test pays for that and KafkaJS
// logs "The group coordinator is not available" / "The coordinator is loading" crash-restarts.
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

public class KafkaWarmup {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    try (Admin admin = Admin.create(props)) {
      // The admin client retries COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS itself.
      admin.listConsumerGroupOffsets("logsift-stack-warmup").partitionsToOffsetAndMetadata().get();
      System.out.println("group coordinator ready, " + admin.listTopics().names().get().size() + " topic(s)");
    }
  }
}
