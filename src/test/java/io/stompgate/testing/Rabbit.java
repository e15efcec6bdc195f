package io.stompgate.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tests' real RabbitMQ (wherever {@link TestRabbit} found it): a plain AMQP client for
 * playing a backend, and read access to the management API for checking topology and counters.
 * Tests never use a mock broker; when the broker is unreachable they fail and say so.
 */
public final class Rabbit implements AutoCloseable {

    private final Connection connection;

    private Rabbit(Connection connection) {
        this.connection = connection;
    }

    public static Rabbit connect() {
        TestRabbit rabbit = TestRabbit.get();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(rabbit.host());
        factory.setPort(rabbit.port());
        factory.setUsername(rabbit.username());
        factory.setPassword(rabbit.password());
        factory.setVirtualHost(rabbit.virtualHost());
        try {
            return new Rabbit(factory.newConnection("stompgate-tests"));
        }
        catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ is not reachable at " + rabbit + " (tests need a real broker): " + e, e);
        }
    }

    public Channel channel() {
        try {
            return connection.createChannel();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The management API path of queue {@code name} in the tests' virtual host: {@code /queues/<vhost>/<name>}. */
    public static String queuePath(String name) {
        return "/queues/" + TestRabbit.get().virtualHostInPath() + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    /** Whether queue {@code name} exists in the tests' virtual host (asks the management API, which sees exclusive queues too). */
    public static boolean queueExists(String name) {
        return managementStatus(queuePath(name)) == 200;
    }

    /** Bindings of queue {@code queue} from {@code stomp.topic} with routing key {@code key} (0 or 1 when all is well). */
    public static long topicBindings(String queue, String key) {
        return bindings(queue, "stomp.topic", key);
    }

    /** Bindings of queue {@code queue} from {@code stomp.user} with routing key {@code user}. */
    public static long userBindings(String queue, String user) {
        return bindings(queue, "stomp.user", user);
    }

    /** Bindings of queue {@code queue} from {@code exchange} with {@code routingKey}, as the management API lists them. */
    public static long bindings(String queue, String exchange, String routingKey) {
        JsonNode array = JsonMapper.builder().build().readTree(management(queuePath(queue) + "/bindings"));
        long n = 0;
        for (JsonNode b : array) {
            if (exchange.equals(b.path("source").asString()) && routingKey.equals(b.path("routing_key").asString())) {
                n++;
            }
        }
        return n;
    }

    /** Deletes queue {@code name} if it exists (tests clean up the durable queues they make). */
    public void deleteQueue(String name) {
        try (Channel channel = connection.createChannel()) {
            channel.queueDelete(name);
        }
        catch (IOException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    public void publish(String exchange, String routingKey, AMQP.BasicProperties properties, String body) {
        try (Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(exchange, routingKey, properties, body.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5000);
        }
        catch (IOException | TimeoutException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest managementRequest(String path) {
        TestRabbit rabbit = TestRabbit.get();
        return HttpRequest.newBuilder(URI.create(rabbit.managementApi() + path))
                .header("Authorization", TestRabbit.basic(rabbit.username(), rabbit.password()))
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private static int managementStatus(String path) {
        try {
            return HttpClient.newHttpClient().send(managementRequest(path), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException e) {
            throw new IllegalStateException("the RabbitMQ management API is not reachable: " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET on the management API ({@code path} after {@code /api}, e.g. {@link #queuePath}); the JSON text. */
    public static String management(String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(managementRequest(path),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("management API " + path + " answered " + response.statusCode());
            }
            return response.body();
        }
        catch (IOException e) {
            throw new IllegalStateException("the RabbitMQ management API is not reachable (rabbitmq-plugins enable "
                    + "rabbitmq_management): " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        }
        catch (IOException | AlreadyClosedException e) {
            // already gone
        }
    }
}
