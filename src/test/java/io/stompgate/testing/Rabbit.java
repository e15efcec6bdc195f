package io.stompgate.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeoutException;

/**
 * The real RabbitMQ the tests run against (127.0.0.1:5672, guest/guest): a plain
 * AMQP client for playing a backend, and read access to the management API for
 * checking topology and counters. Tests never use a mock broker; when the broker
 * is unreachable they fail and say so.
 */
public final class Rabbit implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5672;
    private static final String MANAGEMENT = "http://127.0.0.1:15672/api";

    private final Connection connection;

    private Rabbit(Connection connection) {
        this.connection = connection;
    }

    public static Rabbit connect() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(HOST);
        factory.setPort(PORT);
        factory.setUsername("guest");
        factory.setPassword("guest");
        try {
            return new Rabbit(factory.newConnection("stompgate-tests"));
        }
        catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ is not reachable at " + HOST + ":" + PORT
                    + "; start it with 'rabbitmq-server -detached' (tests need a real broker): " + e, e);
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

    /** Whether queue {@code name} exists in the default virtual host (asks the management API, which sees exclusive queues too). */
    public static boolean queueExists(String name) {
        return managementStatus("/queues/%2F/" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)) == 200;
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

    private static int managementStatus(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(MANAGEMENT + path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes()))
                    .timeout(Duration.ofSeconds(10))
                    .build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException e) {
            throw new IllegalStateException("the RabbitMQ management API is not reachable: " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET on the management API; the JSON text. */
    public static String management(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(MANAGEMENT + path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes()))
                    .timeout(Duration.ofSeconds(10))
                    .build();
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
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
        catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
            // already gone
        }
    }
}
