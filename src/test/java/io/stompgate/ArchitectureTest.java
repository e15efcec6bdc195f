package io.stompgate;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keeps the layering readable from the package names. The rules read the compiled
 * classes (ArchUnit), so a fully-qualified name in a method body counts as much as
 * an import line. Each package's {@code package-info.java} states the same rule in
 * words. The rules are written against a root package so that they can be run on
 * {@code io.stompgate.archfixtures} too, a miniature with deliberate violations that
 * shows each rule is able to fail.
 *
 * <p>Limit of reading bytecode: a compile-time constant ({@code static final} String or
 * primitive) is copied into the class that uses it and leaves no dependency behind.
 */
class ArchitectureTest {

    private static final String MAIN = "io.stompgate";
    private static final String FIXTURES = "io.stompgate.archfixtures";

    /** The layer rules, each made for a root package ({@code root.stomp}, {@code root.broker}, ...). */
    enum Layering {

        CODEC_USES_ONLY_JDK_AND_NETTY_BUFFERS(root -> classes().that().resideInAPackage(root + ".stomp..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".stomp..", "java..", "io.netty.buffer..")
                .because("the STOMP codec sits below everything of ours and uses neither Spring nor Reactor")),

        SESSION_USES_ONLY_CODEC_AND_BROKER_SPI(root -> classes().that().resideInAPackage(root + ".session..")
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(root + "..")
                        .or(resideInAnyPackage(root + ".session..", root + ".stomp..", root + ".broker", root + ".logging")))
                .because("a session talks to brokers through the SPI package only, never to an implementation")),

        LOG_TEXT_USES_ONLY_THE_JDK(root -> classes().that().resideInAPackage(root + ".logging..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(root + ".logging..", "java..")
                .because("every layer may sanitize log text, so it may depend on no layer")),

        CLUSTER_USES_ONLY_SESSIONS_AND_THE_BROKER_SPI(root -> classes().that().resideInAPackage(root + ".cluster..")
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(root + "..")
                        .and(resideOutsideOfPackage("org.springframework.."))
                        .or(resideInAnyPackage(root + ".cluster..", root + ".session..", root + ".broker",
                                root + ".stomp..", root + ".logging")))
                .because("membership and rebalancing are plain code on the session registry and the broker SPI; "
                        + "config wires them, ops shows them")),

        BROKER_SPI_USES_ONLY_CODEC(root -> classes().that().resideInAPackage(root + ".broker")
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(root + "..")
                        .or(resideInAnyPackage(root + ".broker", root + ".stomp..")))
                .because("the broker SPI is what sessions and implementations share, so it may use only the codec")),

        BROKER_IMPLEMENTATIONS_KNOW_NO_SESSION_TRANSPORT_CONFIG_OR_AUTH(root -> noClasses()
                .that().resideInAPackage(root + ".broker.*..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        root + ".session..", root + ".transport..", root + ".config..", root + ".auth..")
                .because("a broker is handed what it needs through the SPI and its own options")),

        BROKER_KNOWS_NO_APPLICATION(root -> noClasses().that().resideInAPackage(root + ".broker..")
                .should().dependOnClassesThat().resideInAPackage(root + ".app..")
                .because("the broker layer sits below the application layer: /app handling is handed to it as a function")),

        API_KNOWS_NO_BROKER_IMPLEMENTATION_TRANSPORT_AUTH_OR_CONFIG(root -> noClasses()
                .that().resideInAPackage(root + ".api..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        root + ".broker.*..", root + ".transport..", root + ".auth..", root + ".config..")
                .because("the server API publishes like a SEND: through the session layer's parsing and the broker SPI")),

        PRESENCE_USES_ONLY_THE_SESSION_HOOK_AND_BROKER_SPI(root -> classes().that().resideInAPackage(root + ".presence..")
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(root + "..")
                        .or(resideInAnyPackage(root + ".presence..", root + ".session", root + ".broker",
                                root + ".stomp..", root + ".logging")))
                .because("presence plugs into sessions through their hook and talks to other nodes through the broker SPI")),

        ONLY_THE_RABBITMQ_BROKER_USES_THE_RABBITMQ_CLIENT(root -> noClasses()
                .that().resideOutsideOfPackage(root + ".broker.rabbitmq..")
                .should().dependOnClassesThat().resideInAnyPackage("com.rabbitmq..", "reactor.rabbitmq..")
                .because("AMQP stays behind the broker SPI"));

        private final Function<String, ArchRule> forRoot;

        Layering(Function<String, ArchRule> forRoot) {
            this.forRoot = forRoot;
        }

        ArchRule forRoot(String root) {
            return forRoot.apply(root);
        }
    }

    /** What each rule must report on the fixtures, as "origin -> target" class names under the fixture root. */
    private static final Map<Layering, Set<String>> FIXTURE_VIOLATIONS = new EnumMap<>(Map.of(
            Layering.CODEC_USES_ONLY_JDK_AND_NETTY_BUFFERS, Set.of(
                    "stomp.ReachesUpWithoutImport -> session.Session",
                    "stomp.UsesReactor -> reactor.core.publisher.Mono"),
            Layering.SESSION_USES_ONLY_CODEC_AND_BROKER_SPI, Set.of(
                    "session.UsesLocalBroker -> broker.local.LocalBroker"),
            Layering.LOG_TEXT_USES_ONLY_THE_JDK, Set.of(
                    "logging.KnowsTheCodec -> stomp.ReachesUpWithoutImport"),
            Layering.CLUSTER_USES_ONLY_SESSIONS_AND_THE_BROKER_SPI, Set.of(
                    "cluster.ReadsConfiguration -> config.Settings",
                    "cluster.UsesSpring -> org.springframework.util.StringUtils"),
            Layering.BROKER_SPI_USES_ONLY_CODEC, Set.of(
                    "broker.KnowsSession -> session.Session"),
            Layering.BROKER_IMPLEMENTATIONS_KNOW_NO_SESSION_TRANSPORT_CONFIG_OR_AUTH, Set.of(
                    "broker.local.ReadsConfiguration -> config.Settings"),
            Layering.BROKER_KNOWS_NO_APPLICATION, Set.of(
                    "broker.local.CallsApplication -> app.Handler"),
            Layering.API_KNOWS_NO_BROKER_IMPLEMENTATION_TRANSPORT_AUTH_OR_CONFIG, Set.of(
                    "api.UsesLocalBroker -> broker.local.LocalBroker",
                    "api.ReadsConfiguration -> config.Settings"),

            Layering.PRESENCE_USES_ONLY_THE_SESSION_HOOK_AND_BROKER_SPI, Set.of(
                    "presence.UsesRabbitBroker -> broker.rabbitmq.RabbitBroker"),
            Layering.ONLY_THE_RABBITMQ_BROKER_USES_THE_RABBITMQ_CLIENT, Set.of(
                    "ops.UsesRabbitClient -> com.rabbitmq.client.Channel")));

    private static JavaClasses mainClasses;
    private static JavaClasses fixtureClasses;

    private static synchronized JavaClasses mainClasses() {
        if (mainClasses == null) {
            mainClasses = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages(MAIN);
        }
        return mainClasses;
    }

    private static synchronized JavaClasses fixtureClasses() {
        if (fixtureClasses == null) {
            fixtureClasses = new ClassFileImporter().importPackages(FIXTURES);
        }
        return fixtureClasses;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Layering.class)
    void mainClassesKeepTheLayering(Layering rule) {
        rule.forRoot(MAIN).check(mainClasses());
    }

    @Test
    void readsTheMainClassesAndNoTestClasses() {
        JavaClasses classes = mainClasses();

        assertThat(classes.stream().map(JavaClass::getPackageName))
                .as("main packages read")
                .contains(MAIN + ".stomp", MAIN + ".session", MAIN + ".broker", MAIN + ".broker.rabbitmq", MAIN + ".app",
                        MAIN + ".api", MAIN + ".presence", MAIN + ".cluster")
                .noneMatch(pkg -> pkg.startsWith(FIXTURES));
        assertThat(classes.stream().map(JavaClass::getName)).doesNotContain(ArchitectureTest.class.getName());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Layering.class)
    void eachRuleReportsTheFixturesThatBreakItAndNoOthers(Layering rule) {
        EvaluationResult result = rule.forRoot(FIXTURES).evaluate(fixtureClasses());

        assertThat(result.hasViolation()).as("%s reports a violation", rule).isTrue();
        assertThat(violations(result)).as(result.getFailureReport().toString())
                .containsExactlyInAnyOrderElementsOf(FIXTURE_VIOLATIONS.get(rule));
    }

    @Test
    void everyRuleHasFixturesThatBreakIt() {
        assertThat(FIXTURE_VIOLATIONS.keySet()).containsExactlyInAnyOrder(Layering.values());
    }

    /** The distinct "origin -> target" class pairs a result reports, named relative to the fixture root. */
    private static Set<String> violations(EvaluationResult result) {
        Set<String> pairs = new TreeSet<>();
        result.handleViolations((Collection<Dependency> dependencies, String message) -> dependencies.forEach(d ->
                pairs.add(relative(d.getOriginClass().getName()) + " -> " + relative(d.getTargetClass().getName()))));
        return pairs;
    }

    private static String relative(String className) {
        return className.startsWith(FIXTURES + ".") ? className.substring(FIXTURES.length() + 1) : className;
    }
}
