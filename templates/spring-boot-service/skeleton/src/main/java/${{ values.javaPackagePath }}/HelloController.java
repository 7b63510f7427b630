package ${{ values.javaPackage }};

import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class HelloController {
    public static final String SERVICE = "${{ values.name }}";

    @GetMapping("/")
    public Map<String, String> hello() {
        return Map.of("service", SERVICE, "message", "hello");
    }
}
