package ${{ values.javaPackage }};
{% if values.flavor == 'webflux' %}
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.reactive.WebFluxTest;
import org.springframework.test.web.reactive.server.WebTestClient;

@WebFluxTest(HelloController.class)
class HelloControllerTest {
    @Autowired
    private WebTestClient client;

    @Test
    void saysWhichServiceItIs() {
        client.get().uri("/").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.service").isEqualTo(HelloController.SERVICE)
            .jsonPath("$.message").isEqualTo("hello");
    }

    @Test
    void answersNotFoundForUnknownRoutes() {
        client.get().uri("/nowhere").exchange().expectStatus().isNotFound();
    }
}
{% else %}
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.test.web.servlet.MockMvc;

@WebMvcTest(HelloController.class)
class HelloControllerTest {
    @Autowired
    private MockMvc mvc;

    @Test
    void saysWhichServiceItIs() throws Exception {
        mvc.perform(get("/"))
            .andExpect(status().isOk())
            .andExpect(jsonPath("$.service").value(HelloController.SERVICE))
            .andExpect(jsonPath("$.message").value("hello"));
    }

    @Test
    void answersNotFoundForUnknownRoutes() throws Exception {
        mvc.perform(get("/nowhere")).andExpect(status().isNotFound());
    }
}
{% endif %}
